using System.Text.Json.Nodes;

namespace Keyward.Client;

public sealed partial class KeywardClient
{
    /// <summary>The session of <paramref name="sessionToken"/> as Keyward sees it.</summary>
    /// <exception cref="KeywardProblemException">The session is missing, expired, idle or ended (the code says which).</exception>
    public async Task<SessionStatus> StatusAsync(string sessionToken, CancellationToken cancellationToken = default)
    {
        var response = await PostAsync(KeywardPaths.Status, sessionToken, null, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.SessionStatus);
    }

    /// <summary>Ends the session of <paramref name="sessionToken"/>; the token is refused from then on.</summary>
    public async Task<LogoutResult> LogoutAsync(string sessionToken, CancellationToken cancellationToken = default)
    {
        var response = await PostAsync(KeywardPaths.Logout, sessionToken, null, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.LogoutResult);
    }

    /// <summary>Creates an invite for a new account (an admin's session, with an admin step-up: see WithStepUpAsync).</summary>
    public async Task<CreatedInvite> CreateInviteAsync(string adminToken, string accountName, string role, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["account_name"] = accountName, ["role"] = role };
        var response = await PostAsync(KeywardPaths.Invites, adminToken, body, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.CreatedInvite);
    }

    /// <summary>Creates a re-enrollment invite: it registers a new key for the existing account (an admin's session, with an admin step-up).</summary>
    public async Task<CreatedInvite> CreateReenrollInviteAsync(string adminToken, string accountName, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["account_name"] = accountName, ["reenroll"] = true };
        var response = await PostAsync(KeywardPaths.Invites, adminToken, body, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.CreatedInvite);
    }

    /// <summary>
    /// Mints a single-use ticket for a WebSocket <paramref name="route"/>, as a page at <paramref name="pageOrigin"/>
    /// (Keyward's own origin when null) would; open <c>wss://…?ticket=</c> with the same Origin within its lifetime.
    /// </summary>
    public async Task<WebSocketTicket> RequestWebSocketTicketAsync(string sessionToken, string route, string? pageOrigin = null, CancellationToken cancellationToken = default)
    {
        var origin = pageOrigin ?? Origin;
        var response = await SendAsync(
            HttpMethod.Post, KeywardPaths.WebSocketTicket, new JsonObject { ["route"] = route }, sessionToken, r => r.Headers.Add("Origin", origin), cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.WebSocketTicket);
    }
}
