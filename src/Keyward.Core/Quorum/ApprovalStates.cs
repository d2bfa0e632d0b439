namespace Keyward.Core.Quorum;

/// <summary>The states of an approval request. It leaves <see cref="Pending"/> once, for one of the others.</summary>
public static class ApprovalStates
{
    /// <summary>Waiting for its quorum.</summary>
    public const string Pending = "pending";

    /// <summary>The quorum completed and the operation was applied.</summary>
    public const string Applied = "applied";

    /// <summary>Withdrawn by its proposer or operator.</summary>
    public const string Withdrawn = "withdrawn";

    /// <summary>Its lifetime ended first (marked by <see cref="ApprovalService.ExpireAsync"/>; refused from its expiry on regardless).</summary>
    public const string Expired = "expired";

    /// <summary>Refused by one of its policy's active approvers; it takes no more votes.</summary>
    public const string Denied = "denied";

    /// <summary>
    /// An applied <c>read_sensitive_secret</c> whose one read was taken (<see cref="SensitiveReadGrants.TrySpendAsync"/>);
    /// in every other respect an applied request (its approvals count as replayed).
    /// </summary>
    public const string Spent = "spent";
}
