namespace Keyward.Core.Storage;

/// <summary>A single-use handoff code (<c>kwh_</c>), stored as its hash, bound to an app host, a session, a challenge and a return path.</summary>
public sealed class HandoffCodeEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] CodeHash { get; set; }
    public required string Host { get; set; }
    public Guid SessionId { get; set; }
    public required string Challenge { get; set; }
    public required string ReturnPath { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
