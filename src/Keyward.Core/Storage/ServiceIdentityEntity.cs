namespace Keyward.Core.Storage;

/// <summary>
/// A service identity (an actor an admin created). Its identity is its key (<c>kwv_</c>, stored as its hash only):
/// the key is shown once, at creation.
/// </summary>
public sealed class ServiceIdentityEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Label { get; set; }
    public required byte[] KeyHash { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>The admin who created it.</summary>
    public Guid CreatedBy { get; set; }
    public long? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
}
