namespace Keyward.Core.Quorum;

/// <summary>
/// The anti-stranding rules as pure functions over a policy's state (docs/approvals.md, "Anti-stranding"). A quorum can
/// never be configured, voluntarily, into a state where a group cannot reach its threshold; a threshold is always at
/// least 1. Only a forced removal (a lost or stolen key) may strand a policy, and then the policy says so.
/// </summary>
public static class PolicyRules
{
    /// <summary>Longest policy or group name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Checks a new policy; null when it is valid. Approvers here are all active (a new policy has no disabled members).</summary>
    public static QuorumFailure? Validate(ApprovalPolicyDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!ValidName(draft.Name))
        {
            return new QuorumFailure(QuorumError.PolicyInvalid, $"the policy needs a name of 1 to {MaxNameLength} printable characters");
        }

        if (draft.Kinds.Count == 0 || draft.Kinds.Any(k => !Enum.IsDefined(k)) || draft.Kinds.Distinct().Count() != draft.Kinds.Count)
        {
            return new QuorumFailure(QuorumError.PolicyInvalid, "the policy needs one or more distinct, known operation kinds");
        }

        if (draft.Groups.Count == 0)
        {
            return new QuorumFailure(QuorumError.PolicyInvalid, "the policy needs at least one group");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var accounts = new HashSet<Guid>();
        foreach (var group in draft.Groups)
        {
            if (!ValidName(group.Name) || !names.Add(group.Name))
            {
                return new QuorumFailure(QuorumError.PolicyInvalid, "each group needs a distinct name");
            }

            if (group.Approvers.Any(a => a == Guid.Empty || !accounts.Add(a)))
            {
                return new QuorumFailure(QuorumError.PolicyInvalid, $"an account may approve in one group of a policy only (group {group.Name})");
            }

            if (CheckThreshold(group.Threshold, group.Approvers.Count) is { } failure)
            {
                return failure with { Detail = $"group {group.Name}: threshold {group.Threshold}, {group.Approvers.Count} approvers" };
            }
        }

        return null;
    }

    /// <summary>A threshold against the active approvers of its group: at least 1, at most their number.</summary>
    public static QuorumFailure? CheckThreshold(int threshold, int activeApprovers)
    {
        if (threshold < 1)
        {
            return new QuorumFailure(QuorumError.ThresholdBelowOne);
        }

        return threshold > activeApprovers ? new QuorumFailure(QuorumError.ThresholdAboveApprovers, $"threshold {threshold}, {activeApprovers} active approvers") : null;
    }

    /// <summary>
    /// A voluntary removal or disabling of <paramref name="accountId"/> in <paramref name="group"/>: refused when the
    /// group's active approvers would fall below its threshold.
    /// </summary>
    public static QuorumFailure? CheckVoluntaryLoss(ApprovalGroup group, Guid accountId)
    {
        ArgumentNullException.ThrowIfNull(group);
        var losing = group.Approvers.Any(a => a.AccountId == accountId && a.Active) ? 1 : 0;
        var remaining = group.ActiveCount - losing;
        return remaining < group.Threshold
            ? new QuorumFailure(QuorumError.WouldStrand, $"group {group.Name} would keep {remaining} active approvers for a threshold of {group.Threshold}")
            : null;
    }

    /// <summary>True when some group cannot reach its threshold.</summary>
    public static bool IsShort(IEnumerable<ApprovalGroup> groups) => groups.Any(g => !g.CanReachThreshold);

    internal static bool ValidName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= MaxNameLength && !name.Any(char.IsControl);
}
