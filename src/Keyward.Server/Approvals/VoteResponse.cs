using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>A counted approval: its group, and whether it completed the quorum (then the operation was applied).</summary>
internal sealed record VoteResponse(
    [property: JsonPropertyName("request_id")] Guid RequestId,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("sign_count")] long SignCount,
    [property: JsonPropertyName("applied")] bool Applied,
    [property: JsonPropertyName("missing")] IReadOnlyDictionary<string, int> Missing);
