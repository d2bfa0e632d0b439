namespace Keyward.Core.Quorum;

/// <summary>A stored approval policy.</summary>
public sealed record ApprovalPolicy
{
    /// <summary>The policy id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>The kinds it governs.</summary>
    public required IReadOnlyList<OperationKind> Kinds { get; init; }

    /// <summary>Its groups, ANDed.</summary>
    public required IReadOnlyList<ApprovalGroup> Groups { get; init; }

    /// <summary>Whether synced passkeys and counterless keys may approve.</summary>
    public required bool AllowSyncedPasskeys { get; init; }

    /// <summary>True once a forced removal left a group short: every operation under the policy is refused.</summary>
    public required bool Stranded { get; init; }

    /// <summary>The group an account approves in, when it is an active approver.</summary>
    public ApprovalGroup? ActiveGroupOf(Guid accountId) =>
        Groups.FirstOrDefault(g => g.Approvers.Any(a => a.AccountId == accountId && a.Active));
}
