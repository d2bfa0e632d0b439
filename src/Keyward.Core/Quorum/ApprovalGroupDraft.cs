namespace Keyward.Core.Quorum;

/// <summary>A group of a new policy: a name, its threshold, and its approvers (account ids).</summary>
/// <param name="Name">Unique within the policy, e.g. <c>security</c>.</param>
/// <param name="Threshold">How many of its approvers must approve (at least 1, at most the number of approvers).</param>
/// <param name="Approvers">The approvers' account ids; an account is in at most one group of a policy.</param>
public sealed record ApprovalGroupDraft(string Name, int Threshold, IReadOnlyList<Guid> Approvers);
