using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>GET /api/audit/events: one page.</summary>
/// <param name="Events">The events.</param>
/// <param name="Next">The cursor of the next page, if any.</param>
internal sealed record AuditEventsResponse(
    [property: JsonPropertyName("events")] IReadOnlyList<AuditEventResponse> Events,
    [property: JsonPropertyName("next")] string? Next);
