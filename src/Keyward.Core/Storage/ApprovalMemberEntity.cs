namespace Keyward.Core.Storage;

/// <summary>An approver (an account) in a group. Disabled members do not count toward the group's active approvers.</summary>
public sealed class ApprovalMemberEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid PolicyId { get; set; }
    public Guid GroupId { get; set; }
    public Guid AccountId { get; set; }
    public long? DisabledAt { get; set; }
    public long CreatedAt { get; set; }
}
