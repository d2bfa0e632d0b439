using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>GET /api/audit/proof/consistency.</summary>
/// <param name="First">The smaller tree.</param>
/// <param name="Second">The larger tree.</param>
/// <param name="ConsistencyPath">The RFC 6962 consistency path, base64.</param>
internal sealed record ConsistencyProofResponse(
    [property: JsonPropertyName("first")] long First,
    [property: JsonPropertyName("second")] long Second,
    [property: JsonPropertyName("consistency_path")] IReadOnlyList<string> ConsistencyPath);
