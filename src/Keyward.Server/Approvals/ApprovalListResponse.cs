using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>GET /api/approvals: pending requests the caller may still approve, and those the caller proposed.</summary>
internal sealed record ApprovalListResponse(
    [property: JsonPropertyName("awaiting_my_vote")] IReadOnlyList<ApprovalRequestResponse> AwaitingMyVote,
    [property: JsonPropertyName("proposed_by_me")] IReadOnlyList<ApprovalRequestResponse> ProposedByMe);
