namespace Keyward.Core.Quorum;

/// <summary>One counted approval of a request, as stored.</summary>
/// <param name="AccountId">The approving account.</param>
/// <param name="AuthenticatorId">The authenticator that signed (its row id).</param>
/// <param name="GroupId">The group it counts in.</param>
/// <param name="SignCount">The signature counter the assertion carried.</param>
/// <param name="CreatedAt">When it was counted.</param>
public sealed record ApprovalVote(Guid AccountId, Guid AuthenticatorId, Guid GroupId, long SignCount, DateTimeOffset CreatedAt);
