using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>GET /api/admin/machines: one machine. <c>online</c> is this node's view.</summary>
internal sealed record MachineListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("last_seen_at")] DateTimeOffset? LastSeenAt,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("hostname")] string? Hostname,
    [property: JsonPropertyName("enrolled_at")] DateTimeOffset EnrolledAt,
    [property: JsonPropertyName("key_revoked_at")] DateTimeOffset? KeyRevokedAt);
