namespace Keyward.Client;

/// <summary>
/// What a key registration presents: a setup code (the first admin, with a username), an invite (a new account), or a
/// session (another key for the signed-in account). Keyward decides which from what is set, in that order.
/// </summary>
public sealed record RegistrationRequest
{
    /// <summary>The setup code Keyward printed at first start (first admin only).</summary>
    public string? SetupCode { get; init; }

    /// <summary>An invite (<c>kwi_…</c>) from an admin.</summary>
    public string? Invite { get; init; }

    /// <summary>The account name (required with a setup code; an invite names its own account).</summary>
    public string? Username { get; init; }

    /// <summary>A name for the key, shown in the key list.</summary>
    public string? KeyName { get; init; }

    /// <summary>One of the named account's recovery codes (<c>XXXX-XXXX-XXXX</c>): registers a new key for it and ends its sessions.</summary>
    public string? RecoveryCode { get; init; }

    /// <summary>A session token (<c>kws_…</c>) of the account that gets another key; sent as a Bearer token.</summary>
    public string? SessionToken { get; init; }

    /// <summary>The first admin's registration with the setup code.</summary>
    public static RegistrationRequest WithSetupCode(string setupCode, string username, string? keyName = null) =>
        new() { SetupCode = setupCode, Username = username, KeyName = keyName };

    /// <summary>A new account's registration with an invite.</summary>
    public static RegistrationRequest WithInvite(string invite, string? keyName = null) => new() { Invite = invite, KeyName = keyName };

    /// <summary>Another key for the account signed in with <paramref name="sessionToken"/>.</summary>
    public static RegistrationRequest AddKey(string sessionToken, string? keyName = null) => new() { SessionToken = sessionToken, KeyName = keyName };

    /// <summary>A new key for <paramref name="username"/> with one of its recovery codes.</summary>
    public static RegistrationRequest WithRecoveryCode(string username, string recoveryCode, string? keyName = null) =>
        new() { Username = username, RecoveryCode = recoveryCode, KeyName = keyName };

    /// <summary>Never prints the secrets it carries.</summary>
    public override string ToString() =>
        $"registration of {Username ?? "(named by the invite or session)"} with {(SetupCode is not null ? "a setup code" : Invite is not null ? "an invite" : RecoveryCode is not null ? "a recovery code" : SessionToken is not null ? "a session" : "nothing")}";
}
