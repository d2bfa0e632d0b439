namespace Keyward.Core.Storage;

/// <summary>A single-use WebSocket upgrade ticket (<c>kwt_</c>), stored as its hash.</summary>
public sealed class WebSocketTicketEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid AccountId { get; set; }
    public Guid SessionId { get; set; }
    public required string RouteId { get; set; }
    public string? Origin { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
