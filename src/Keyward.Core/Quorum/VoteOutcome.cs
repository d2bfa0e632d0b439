namespace Keyward.Core.Quorum;

/// <summary>A counted approval, and whether it completed the quorum (and so applied the operation).</summary>
public sealed record VoteOutcome
{
    /// <summary>The request.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The approving account.</summary>
    public required Guid AccountId { get; init; }

    /// <summary>The authenticator that signed (its row id).</summary>
    public required Guid AuthenticatorId { get; init; }

    /// <summary>The signature counter the assertion carried (now stored).</summary>
    public required uint SignCount { get; init; }

    /// <summary>The group the approval counts in.</summary>
    public required string Group { get; init; }

    /// <summary>True for the one approval that completed the quorum: the operation was applied in its transaction.</summary>
    public required bool Applied { get; init; }

    /// <summary>Approvals still missing per group (empty once applied).</summary>
    public required IReadOnlyDictionary<string, int> Missing { get; init; }
}
