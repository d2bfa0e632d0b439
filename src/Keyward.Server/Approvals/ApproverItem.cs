using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>An approver of a group.</summary>
internal sealed record ApproverItem(
    [property: JsonPropertyName("account_id")] Guid AccountId,
    [property: JsonPropertyName("account_name")] string? AccountName,
    [property: JsonPropertyName("active")] bool Active);
