using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>GET /api/audit/sth.</summary>
/// <param name="TreeSize">Events covered.</param>
/// <param name="RootHash">Merkle root, base64.</param>
/// <param name="Timestamp">Unix milliseconds.</param>
/// <param name="KeyId">The signing key.</param>
/// <param name="Signature">ES256 signature (DER), base64.</param>
internal sealed record TreeHeadResponse(
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("root_hash")] string RootHash,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("signature")] string Signature);
