namespace Keyward.Core.Storage;

/// <summary>A single-use invite (<c>kwi_</c>), stored as its hash.</summary>
public sealed class InviteEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string AccountName { get; set; }
    public required string Role { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public Guid? CreatedBy { get; set; }

    /// <summary>An existing account the invite re-enrolls (registers a new key for), or null for a new account.</summary>
    public Guid? AccountId { get; set; }
    public long CreatedAt { get; set; }
}
