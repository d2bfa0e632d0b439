using System.Text.Json.Serialization;

namespace Keyward.Server.WebSockets;

/// <summary>POST /api/auth/ws-ticket. Carries the ticket: never cached.</summary>
/// <param name="Ticket">The kwt_ ticket.</param>
/// <param name="ExpiresAt">When it expires.</param>
internal sealed record TicketResponse(
    [property: JsonPropertyName("ticket")] string Ticket,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);
