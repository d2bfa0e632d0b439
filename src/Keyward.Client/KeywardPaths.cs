namespace Keyward.Client;

/// <summary>The paths of Keyward's API that this client calls (the names the seed prototype's users script against).</summary>
public static class KeywardPaths
{
    /// <summary>Starts a key registration: <c>POST {"setup_code"|"invite"|session, "username", "key_name"}</c>.</summary>
    public const string RegisterBegin = "/api/register/begin";

    /// <summary>Finishes a key registration with the authenticator's credential.</summary>
    public const string RegisterFinish = "/api/register/finish";

    /// <summary>Starts a sign-in: <c>POST {"username"}</c> (no username: a discoverable, passkey sign-in).</summary>
    public const string LoginBegin = "/session/login/begin";

    /// <summary>Finishes a sign-in with the authenticator's assertion; the answer carries the session token.</summary>
    public const string LoginFinish = "/session/login/finish";

    /// <summary>The current session's status (Bearer).</summary>
    public const string Status = "/session/status";

    /// <summary>Ends the current session (Bearer).</summary>
    public const string Logout = "/session/logout";

    /// <summary>Creates an invite (admin session).</summary>
    public const string Invites = "/api/admin/invites";

    /// <summary>Begins a step-up for the current session: <c>POST {"purpose", "target"}</c> (Bearer).</summary>
    public const string StepUpBegin = "/session/step-up/begin";

    /// <summary>Finishes a step-up with the authenticator's assertion (Bearer).</summary>
    public const string StepUpFinish = "/session/step-up/finish";

    /// <summary>Replaces the account's recovery codes (Bearer, with a <c>recovery.regenerate</c> step-up).</summary>
    public const string RecoveryCodes = "/api/account/recovery-codes";

    /// <summary>Mints a single-use WebSocket ticket for a route (session, and the page's Origin).</summary>
    public const string WebSocketTicket = "/api/auth/ws-ticket";

    /// <summary>A service identity mints a capability here: <c>POST</c> with <c>Authorization: Bearer kwv_…</c>.</summary>
    public const string ActorCapabilities = "/actor/v1/capabilities";

    /// <summary>An enrolled agent mints a capability here: <c>POST</c> with <c>Authorization: Bearer kwa_…</c>.</summary>
    public const string AgentCapabilities = "/agent/v1/capabilities";

    /// <summary>The vault plane (capability tokens only).</summary>
    public const string VaultRoot = "/vault/v1";

    /// <summary>One secret of an actor in one data class.</summary>
    public static string VaultSecret(string dataClass, Guid actorId, string path) =>
        $"{VaultRoot}/{Uri.EscapeDataString(dataClass)}/actors/{actorId}/secrets/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>An actor's secrets in one data class, listed.</summary>
    public static string VaultList(string dataClass, Guid actorId) => $"{VaultRoot}/{Uri.EscapeDataString(dataClass)}/actors/{actorId}/list";
}
