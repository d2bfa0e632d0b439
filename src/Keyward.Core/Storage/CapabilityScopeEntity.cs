namespace Keyward.Core.Storage;

/// <summary>
/// A scope: what one actor may do (operations on data classes under path prefixes) on one operator's authority. Written
/// only by an applied approval (grant or widen); revoking sets <see cref="RevokedAt"/> and moves the (operator, actor)
/// scope nonce on (<see cref="ScopeNonceEntity"/>).
/// </summary>
public sealed class CapabilityScopeEntity : ITenantOwned
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }

    /// <summary>The account on whose authority the scope was granted.</summary>
    public Guid OperatorId { get; set; }
    public Guid ActorId { get; set; }

    /// <summary><see cref="Capabilities.CapabilityActorKind"/>, as its number.</summary>
    public int ActorKind { get; set; }

    /// <summary>Operation names, space-separated, in <see cref="Capabilities.CapabilityOperations.All"/> order.</summary>
    public required string Operations { get; set; }

    /// <summary>Data class names, space-separated, ordinal order.</summary>
    public required string DataClasses { get; set; }

    /// <summary>Path prefixes, space-separated, ordinal order.</summary>
    public required string Prefixes { get; set; }

    /// <summary>The approval request whose completion granted (or last widened) it.</summary>
    public Guid? RequestId { get; set; }
    public long GrantedAt { get; set; }
    public long? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
}
