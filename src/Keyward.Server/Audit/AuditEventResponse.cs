using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>An event as the export writes it: the canonical members, plus its leaf hash and a readable time.</summary>
/// <param name="Sequence">Its position in the log.</param>
/// <param name="Time">Unix milliseconds.</param>
/// <param name="RecordedAt">The same time, readable.</param>
/// <param name="Tenant">The tenant.</param>
/// <param name="Actor">Who.</param>
/// <param name="Action">What.</param>
/// <param name="Target">On what.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Client">The client address.</param>
/// <param name="Details">Details (never a secret).</param>
/// <param name="LeafHash">RFC 6962 leaf hash, base64.</param>
internal sealed record AuditEventResponse(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("time")] long Time,
    [property: JsonPropertyName("recorded_at")] DateTimeOffset RecordedAt,
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("client")] string? Client,
    [property: JsonPropertyName("details")] IReadOnlyDictionary<string, string> Details,
    [property: JsonPropertyName("leaf_hash")] string LeafHash);
