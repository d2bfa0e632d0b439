namespace Keyward.Core.Storage;

/// <summary>A join token (<c>kwj_</c>) for one support session's viewer socket, stored as its hash.</summary>
public sealed class JoinTokenEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid SupportSessionId { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>The technician's login session that minted it: ending that session revokes the token.</summary>
    public Guid LoginSessionId { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public long? RevokedAt { get; set; }
}
