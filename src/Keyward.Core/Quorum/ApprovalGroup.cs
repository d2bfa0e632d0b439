namespace Keyward.Core.Quorum;

/// <summary>A group of a stored policy.</summary>
public sealed record ApprovalGroup
{
    /// <summary>The group id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The name, unique within the policy.</summary>
    public required string Name { get; init; }

    /// <summary>How many active approvers must approve.</summary>
    public required int Threshold { get; init; }

    /// <summary>The approvers.</summary>
    public required IReadOnlyList<ApproverState> Approvers { get; init; }

    /// <summary>How many approvers can approve now.</summary>
    public int ActiveCount => Approvers.Count(a => a.Active);

    /// <summary>True when the group can still reach its threshold.</summary>
    public bool CanReachThreshold => ActiveCount >= Threshold;
}
