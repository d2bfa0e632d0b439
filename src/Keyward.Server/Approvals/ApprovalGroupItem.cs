using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>A group of a policy: its threshold and approvers (account id, name, whether active).</summary>
internal sealed record ApprovalGroupItem(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("threshold")] int Threshold,
    [property: JsonPropertyName("approvers")] IReadOnlyList<ApproverItem> Approvers);
