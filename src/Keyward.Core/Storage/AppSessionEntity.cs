namespace Keyward.Core.Storage;

/// <summary>An app session (<c>kwp_</c>, one app host's cookie), stored as its hash with its host and parent session.</summary>
public sealed class AppSessionEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string Host { get; set; }
    public Guid SessionId { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}
