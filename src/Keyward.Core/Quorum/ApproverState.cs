namespace Keyward.Core.Quorum;

/// <summary>An approver of a group as it stands.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Active">False when the membership or the account is disabled: the approver cannot approve.</param>
public sealed record ApproverState(Guid AccountId, bool Active);
