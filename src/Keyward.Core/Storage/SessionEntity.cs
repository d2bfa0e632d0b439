namespace Keyward.Core.Storage;

/// <summary>A sign-in session (<c>kws_</c>), stored as its hash.</summary>
public sealed class SessionEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid AccountId { get; set; }
    public Guid AuthenticatorId { get; set; }
    public bool UserVerified { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long LastSeenAt { get; set; }
    public long? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? ClientAddress { get; set; }

    /// <summary>A coarse device name from the sign-in's User-Agent (<see cref="Sessions.DeviceLabel"/>), for display only.</summary>
    public string? ClientDevice { get; set; }
}
