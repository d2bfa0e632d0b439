namespace Keyward.Core.Storage;

/// <summary>
/// One audit event: a leaf of the Merkle tree (RFC 6962). <see cref="LeafHash"/> = SHA-256(0x00 ‖ canonical bytes);
/// see docs/audit.md for the canonical encoding. Sequence numbers start at 0 and have no gaps.
/// </summary>
public sealed class AuditEventEntity
{
    public long Sequence { get; set; }
    public required string TenantId { get; set; }
    public long Time { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public required string Outcome { get; set; }
    public string? ClientAddress { get; set; }
    public required string Details { get; set; }
    public required byte[] LeafHash { get; set; }
}
