using System.Text.Json.Serialization;

namespace Keyward.Server.Support;

/// <summary>
/// GET /api/support/machines: the machines the caller may open support sessions for and join, as the join check
/// decides, by label. <c>truncated</c> is true when more may exist than were listed.
/// </summary>
internal sealed record JoinableMachinesResponse(
    [property: JsonPropertyName("machines")] IReadOnlyList<JoinableMachine> Machines,
    [property: JsonPropertyName("truncated")] bool Truncated);

/// <summary>One joinable machine: what a technician needs to pick it, nothing admin-only (no key, no enrollment, no joiners).</summary>
internal sealed record JoinableMachine(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("last_seen_at")] DateTimeOffset? LastSeenAt);
