namespace Keyward.Core.Storage;

/// <summary>An operator's approval nonce: bound into every challenge, bumped when one of its operations is applied.</summary>
public sealed class ApprovalOperatorEntity : ITenantOwned
{
    public Guid AccountId { get; set; }
    public required string TenantId { get; set; }
    public long Nonce { get; set; }
}
