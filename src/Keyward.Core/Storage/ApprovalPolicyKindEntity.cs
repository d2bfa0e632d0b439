namespace Keyward.Core.Storage;

/// <summary>An operation kind a policy governs; unique per tenant, so exactly one policy decides each kind.</summary>
public sealed class ApprovalPolicyKindEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid PolicyId { get; set; }
    public int Kind { get; set; }
}
