namespace Keyward.Server.Approvals;

/// <summary>The audit actions of M-of-N approvals (issue 12, item 5). No event carries a secret: operations name things only.</summary>
internal static class ApprovalAuditActions
{
    public const string PolicyCreated = "approval.policy_created";
    public const string Proposed = "approval.proposed";
    public const string Voted = "approval.voted";
    public const string Applied = "approval.applied";
    public const string Refused = "approval.refused";
    public const string Withdrawn = "approval.withdrawn";
    public const string Denied = "approval.denied";
    public const string Expired = "approval.expired";
    public const string ApproverForceRemoved = "approval.approver_force_removed";
}
