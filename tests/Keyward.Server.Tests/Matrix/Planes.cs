using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Keyward.Core.Credentials;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// The registry of planes: every place Keyward accepts a credential, how one is presented there, and what it answers.
/// A new plane (an endpoint or route kind that takes a credential) adds its entry here;
/// <see cref="ConfusionMatrixTests.EveryRouteKind_HasAPlane"/> fails while a kind of route has none. Step-up is not a
/// plane of its own: it takes a WebAuthn assertion beside a session, whose plane is <c>api-bearer</c>.
/// </summary>
internal static class Planes
{
    private static readonly string Session = CredentialKinds.NameOf(CredentialKind.Session);
    private static readonly string AppSession = CredentialKinds.NameOf(CredentialKind.AppSession);
    private static readonly string Ticket = CredentialKinds.NameOf(CredentialKind.WebSocketTicket);
    private static readonly string Handoff = CredentialKinds.NameOf(CredentialKind.Handoff);
    private static readonly string Invite = CredentialKinds.NameOf(CredentialKind.Invite);
    private static readonly string Internal = CredentialKinds.NameOf(CredentialKind.Internal);
    private static readonly string Enroll = CredentialKinds.NameOf(CredentialKind.Enroll);
    private static readonly string Agent = CredentialKinds.NameOf(CredentialKind.Agent);
    private static readonly string Join = CredentialKinds.NameOf(CredentialKind.Join);
    private static readonly string Service = CredentialKinds.NameOf(CredentialKind.Service);

    private static readonly MatrixRefusal SessionExpired = new(401, "session_expired", "session_idle_expired", "session_invalid");
    private static readonly MatrixRefusal SessionLoggedOut = new(401, "session_logged_out");

    public static readonly IReadOnlyList<MatrixPlane> All =
    [
        // Keyward's API with Authorization: Bearer.
        new("api-bearer", Session, 200, new(401, "session_invalid"), Own(SessionExpired, SessionLoggedOut),
            (h, credential) => h.Client.SendAsync(HttpMethod.Post, "/session/status", token: null, configure: Bearer(credential))),

        // Keyward's API with the session cookie on its own origin.
        new("api-cookie", Session, 200, new(401, "session_invalid"), Own(SessionExpired, SessionLoggedOut),
            (h, credential) => h.Client.GetAsync("/api/keys", configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={credential}"))),

        // A path route on Keyward's origin (proxied, Bearer only).
        new("path-route", Session, 200, new(401, "session_invalid"), Own(SessionExpired, SessionLoggedOut),
            (h, credential) => h.Client.GetAsync("/echo/x", configure: Bearer(credential))),

        // A browser route on its own host, with that host's app cookie.
        new("app-cookie", AppSession, 200, new(401, "app_session_invalid"),
            Own(new(401, "session_expired", "session_idle_expired", "app_session_invalid"), SessionLoggedOut),
            (h, credential) => h.Client.GetAsync($"{h.AppOrigin}/x", configure: r => r.Headers.Add("Cookie", $"__Host-keyward-app={credential}"))),

        // The app host's handoff callback, with the browser's verifier.
        new("handoff-callback", Handoff, 302, new(400, "handoff_code_invalid"),
            Own(new(400, "handoff_code_expired", "handoff_code_invalid"), new(400, "handoff_code_consumed")),
            (h, credential) => h.RedeemAsync(credential, h.VerifierFor(credential))),

        // A WebSocket upgrade on a path route, with a ticket.
        new("websocket-ticket", Ticket, 502, new(401, "ticket_invalid"),
            Own(new(401, "ticket_expired", "ticket_invalid"), new(401, "ticket_consumed")),
            (h, credential) => h.Client.ProbeUpgradeAsync($"/sockets/x?ticket={Uri.EscapeDataString(credential)}")),

        // A WebSocket upgrade on an internal route, with the internal credential over loopback.
        new("internal-route", Internal, 502, new(401, "internal_credential_invalid"), Own(null, null),
            (h, credential) => h.Client.ProbeUpgradeAsync("/internal/x", origin: null, configure: Bearer(credential)),
            OtherKinds: new(401, "ticket_required")),

        // The viewer plane: a support session's viewer socket, with a join token as Bearer (issue 11).
        new("viewer", Join, 101, new(401, "join_token_invalid"),
            Own(new(401, "join_token_expired", "join_token_invalid"), new(401, "join_token_revoked")),
            (h, credential) => h.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{h.SupportSession}?kind=tcp&port=22", origin: null, configure: Bearer(credential))),

        // Key registration with an invite.
        new("register-invite", Invite, 200, new(401, "invite_invalid"), Own(null, null),
            (h, credential) => h.Client.RegisterBeginAsync(new JsonObject { ["invite"] = credential })),

        // The agent plane's enrollment, with an enroll token as Bearer (docs/remote-support.md).
        new("agent-enroll", Enroll, 200, new(401, "enroll_token_invalid"),
            Own(new(401, "enroll_token_expired", "enroll_token_invalid"), new(401, "enroll_token_consumed")),
            (h, credential) => h.EnrollAsync(credential)),

        // The agent socket, with an agent key as Bearer: accepted is the upgrade itself. An ad-hoc agent binds there
        // with a support code instead (single use, rate-limited); anything shaped as a code is checked as one.
        new("agent-connect", Agent, 101, new(401, "agent_key_invalid"), Own(null, new(401, "agent_key_revoked")),
            (h, credential) => h.ConnectAgentAsync(credential),
            Second: new("support code", new(401, "support_code_invalid"), ["setup code", "recovery code"])),

        // The actor plane, with a service key as Bearer (docs/capabilities.md): who the key is.
        new("actor", Service, 200, new(401, "service_key_invalid"), Own(null, new(401, "service_key_revoked")),
            (h, credential) => h.Client.GetAsync("/actor/v1/identity", configure: Bearer(credential))),

        // The vault plane, with a capability as Bearer (docs/vault.md): read the matrix's memory secret. Anything not a
        // capability this Keyward signed is cap_invalid, and Keyward's own kw?_ credentials never reach the verifier.
        new("vault", "capability", 200, new(401, "cap_invalid"), Own(new(401, "cap_expired"), new(403, "cap_scope_revoked")),
            (h, credential) => h.ReadSecretAsync(credential)),

        // Key registration with a setup code: the first admin's (that diagonal is the fixture's first registration), or an
        // account's break-glass code, with that account's name (the live form's diagonal).
        new("register-setup", "setup code", 200, new(401, "setup_code_invalid"), Own(null, null),
            (h, credential) => h.Client.RegisterBeginAsync(new JsonObject { ["setup_code"] = credential, ["username"] = h.SetupNameFor(credential) })),

        // Key registration for an account with one of its recovery codes.
        new("register-recovery", "recovery code", 200, new(401, "recovery_code_invalid"), Own(null, null),
            (h, credential) => h.Client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = credential })),
    ];

    /// <summary>The registry entry named <paramref name="name"/>.</summary>
    public static MatrixPlane Named(string name) => All.Single(p => p.Name == name);

    private static Dictionary<string, MatrixRefusal> Own(MatrixRefusal? expired, MatrixRefusal? revoked)
    {
        var own = new Dictionary<string, MatrixRefusal>();
        if (expired is not null)
        {
            own[MatrixForms.Expired] = expired;
        }

        if (revoked is not null)
        {
            own[MatrixForms.Revoked] = revoked;
        }

        return own;
    }

    // Sent raw: a garbage value need not be a valid header token.
    private static Action<HttpRequestMessage> Bearer(string credential) =>
        r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
}
