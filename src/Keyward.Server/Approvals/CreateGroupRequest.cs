using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>A group of a new policy: approvers are account names.</summary>
internal sealed record CreateGroupRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("threshold")] int Threshold,
    [property: JsonPropertyName("approvers")] IReadOnlyList<string>? Approvers);
