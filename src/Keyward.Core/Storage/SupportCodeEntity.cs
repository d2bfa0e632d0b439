namespace Keyward.Core.Storage;

/// <summary>A support code (<c>XXXX-XXXX-XXXX</c>) for an ad-hoc support session, stored as its hash.</summary>
public sealed class SupportCodeEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] CodeHash { get; set; }
    public Guid SupportSessionId { get; set; }
    public Guid AccountId { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
