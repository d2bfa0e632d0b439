using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>
/// One approval request: the operation in plain words (<c>summary</c>) and as data, the canonical operation's SHA-256
/// (<c>operation_digest</c>, what an approver compares out of band) and the challenge every approval signs.
/// </summary>
internal sealed record ApprovalRequestResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string> Parameters,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("operation_digest")] string OperationDigest,
    [property: JsonPropertyName("parameters_digest")] string ParametersDigest,
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("policy_id")] Guid PolicyId,
    [property: JsonPropertyName("operator_account_id")] Guid OperatorAccountId,
    [property: JsonPropertyName("proposed_by")] Guid ProposedBy,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("votes")] IReadOnlyList<ApprovalVoteItem> Votes);
