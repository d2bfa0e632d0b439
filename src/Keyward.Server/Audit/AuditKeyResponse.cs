using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>GET /api/audit/key: the tree-head public key.</summary>
/// <param name="KeyId">The key id.</param>
/// <param name="Algorithm">The signature algorithm.</param>
/// <param name="PublicKey">SubjectPublicKeyInfo, PEM.</param>
/// <param name="Jwk">The same key as a JWK.</param>
internal sealed record AuditKeyResponse(
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("public_key")] string PublicKey,
    [property: JsonPropertyName("jwk")] IReadOnlyDictionary<string, string> Jwk);
