using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>A single-use WebSocket ticket (<c>/api/auth/ws-ticket</c>), bound to a session, a route and an Origin.</summary>
/// <param name="Ticket">The <c>kwt_…</c> ticket, sent once as <c>?ticket=</c> on the upgrade. A secret.</param>
/// <param name="ExpiresAt">When it stops working (seconds away).</param>
public sealed record WebSocketTicket(
    [property: JsonPropertyName("ticket")] string Ticket,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt)
{
    /// <summary>Never prints the ticket.</summary>
    public override string ToString() => $"WebSocket ticket until {ExpiresAt:O}";
}
