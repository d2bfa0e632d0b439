namespace Keyward.Core.Storage;

/// <summary>An approval policy: which operation kinds it governs and whether synced passkeys may approve (docs/approvals.md).</summary>
public sealed class ApprovalPolicyEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public bool AllowSyncedPasskeys { get; set; }

    /// <summary>When a forced removal left a group short of its threshold (Unix ms), or null while the quorum can be reached.</summary>
    public long? StrandedAt { get; set; }
    public long CreatedAt { get; set; }
}
