namespace Keyward.Core.Storage;

/// <summary>A signed tree head: the tree's size and root at a time, signed with the audit key.</summary>
public sealed class AuditTreeHeadEntity
{
    public long TreeSize { get; set; }
    public required byte[] RootHash { get; set; }
    public long Timestamp { get; set; }
    public required string KeyId { get; set; }
    public required byte[] Signature { get; set; }
}
