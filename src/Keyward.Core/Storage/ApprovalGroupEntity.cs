namespace Keyward.Core.Storage;

/// <summary>A group of approvers in a policy with its threshold; a policy's groups are ANDed.</summary>
public sealed class ApprovalGroupEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid PolicyId { get; set; }
    public required string Name { get; set; }
    public int Threshold { get; set; }
}
