using System.Text.Json.Serialization;

namespace Keyward.Server.Capabilities;

/// <summary>POST /api/admin/scopes (propose a grant) and POST /api/admin/scopes/{id}/widen (propose a widening: no actor).</summary>
/// <param name="ActorId">The actor (a machine id or a service identity id).</param>
/// <param name="ActorKind"><c>agent</c> or <c>service</c>.</param>
/// <param name="Operations">Of <c>read</c>, <c>write</c>, <c>list</c>, <c>delete</c>.</param>
/// <param name="DataClasses">Defined data class names.</param>
/// <param name="Prefixes">1 to 20 secret paths the scope covers (each with everything below it).</param>
internal sealed record ScopeRequest(
    [property: JsonPropertyName("actor_id")] Guid? ActorId,
    [property: JsonPropertyName("actor_kind")] string? ActorKind,
    [property: JsonPropertyName("operations")] List<string>? Operations,
    [property: JsonPropertyName("data_classes")] List<string>? DataClasses,
    [property: JsonPropertyName("prefixes")] List<string>? Prefixes);

/// <summary>A proposed scope change: the approval request that needs its votes.</summary>
internal sealed record ScopeProposalResponse(
    [property: JsonPropertyName("request_id")] Guid RequestId,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary>One row of GET /api/admin/scopes.</summary>
internal sealed record ScopeListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("operator_id")] Guid OperatorId,
    [property: JsonPropertyName("actor_id")] Guid ActorId,
    [property: JsonPropertyName("actor_kind")] string ActorKind,
    [property: JsonPropertyName("operations")] IReadOnlyList<string> Operations,
    [property: JsonPropertyName("data_classes")] IReadOnlyList<string> DataClasses,
    [property: JsonPropertyName("prefixes")] IReadOnlyList<string> Prefixes,
    [property: JsonPropertyName("granted_at")] DateTimeOffset GrantedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt);
