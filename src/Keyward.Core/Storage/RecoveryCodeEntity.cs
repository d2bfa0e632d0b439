namespace Keyward.Core.Storage;

/// <summary>One single-use recovery code of an account, stored only as its keyed hash (HMAC-SHA256 under a server secret).</summary>
public sealed class RecoveryCodeEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid AccountId { get; set; }
    public required byte[] CodeHash { get; set; }
    public long CreatedAt { get; set; }
}
