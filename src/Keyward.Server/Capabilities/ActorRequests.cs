using System.Text.Json.Serialization;

namespace Keyward.Server.Capabilities;

/// <summary>POST /api/admin/actors.</summary>
/// <param name="Label">What to call the service identity, 1 to 200 characters.</param>
internal sealed record CreateActorRequest([property: JsonPropertyName("label")] string? Label);

/// <summary>POST /api/admin/actors. Carries the service key (shown once): never cached, never logged.</summary>
internal sealed record CreateActorResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("service_key")] string ServiceKey,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt)
{
    /// <inheritdoc/>
    public override string ToString() => $"service identity {Id} created (service key redacted)";
}

/// <summary>One row of GET /api/admin/actors.</summary>
internal sealed record ActorListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt);

/// <summary>GET /actor/v1/identity: who the service key is.</summary>
internal sealed record ActorIdentityResponse(
    [property: JsonPropertyName("actor_id")] Guid ActorId,
    [property: JsonPropertyName("actor_kind")] string ActorKind,
    [property: JsonPropertyName("label")] string Label);
