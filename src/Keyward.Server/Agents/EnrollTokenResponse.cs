using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /api/admin/enroll-tokens. Carries the token (shown once): never cached.</summary>
internal sealed record EnrollTokenResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("enroll_token")] string EnrollToken,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("joiners")] JoinersBody Joiners,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);
