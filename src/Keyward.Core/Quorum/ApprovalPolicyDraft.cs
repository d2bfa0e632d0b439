namespace Keyward.Core.Quorum;

/// <summary>A new approval policy: the operation kinds it governs and its groups, ANDed (e.g. 2 of security and 1 of owners).</summary>
public sealed record ApprovalPolicyDraft
{
    /// <summary>Unique within the tenant.</summary>
    public required string Name { get; init; }

    /// <summary>The kinds it governs; a kind is governed by at most one policy.</summary>
    public required IReadOnlyList<OperationKind> Kinds { get; init; }

    /// <summary>At least one group.</summary>
    public required IReadOnlyList<ApprovalGroupDraft> Groups { get; init; }

    /// <summary>
    /// Accept backup-eligible keys (synced passkeys) and keys without a signature counter. Off by default: approver
    /// keys must be hardware-bound with a working counter, so a clone shows.
    /// </summary>
    public bool AllowSyncedPasskeys { get; init; }
}
