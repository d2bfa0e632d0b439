using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>GET /api/audit/proof/inclusion.</summary>
/// <param name="Sequence">The event.</param>
/// <param name="TreeSize">The tree it is proven in.</param>
/// <param name="LeafHash">Its leaf hash, base64.</param>
/// <param name="AuditPath">The RFC 6962 audit path, base64.</param>
internal sealed record InclusionProofResponse(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("leaf_hash")] string LeafHash,
    [property: JsonPropertyName("audit_path")] IReadOnlyList<string> AuditPath);
