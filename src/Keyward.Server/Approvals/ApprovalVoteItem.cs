using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>A counted approval.</summary>
internal sealed record ApprovalVoteItem(
    [property: JsonPropertyName("account_id")] Guid AccountId,
    [property: JsonPropertyName("authenticator_id")] Guid AuthenticatorId,
    [property: JsonPropertyName("sign_count")] long SignCount,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);
