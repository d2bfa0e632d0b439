namespace Keyward.Core.Storage;

/// <summary>One verified approval of a request: by which account and authenticator, in which group, at which counter.</summary>
public sealed class ApprovalVoteEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid RequestId { get; set; }
    public Guid GroupId { get; set; }
    public Guid AccountId { get; set; }
    public Guid AuthenticatorId { get; set; }
    public long SignCount { get; set; }
    public long CreatedAt { get; set; }
}
