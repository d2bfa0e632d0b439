using System.Text.Json.Serialization;

namespace Keyward.Server.Assertions;

/// <summary>One assertion signing key in GET /api/admin/signing-keys: its public facts, never the private key.</summary>
/// <param name="KeyId">The key id (<c>kid</c>, a hash of the public key).</param>
/// <param name="Algorithm">The signature algorithm (ES256).</param>
/// <param name="State"><c>current</c> (signs now) or <c>retiring</c> (replaced, still published in the JWKS for the overlap).</param>
/// <param name="CreatedAt">When the key was made.</param>
/// <param name="RetiredAt">When its successor replaced it, for a retiring key.</param>
/// <param name="NotAfter">When it leaves the JWKS: a retiring key at the end of its overlap; the current key if it is replaced on schedule.</param>
internal sealed record SigningKeyItem(
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("retired_at")] DateTimeOffset? RetiredAt,
    [property: JsonPropertyName("not_after")] DateTimeOffset NotAfter);
