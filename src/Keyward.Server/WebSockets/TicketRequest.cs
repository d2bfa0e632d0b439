using System.Text.Json.Serialization;

namespace Keyward.Server.WebSockets;

/// <summary>POST /api/auth/ws-ticket.</summary>
internal sealed record TicketRequest([property: JsonPropertyName("route")] string? Route);
