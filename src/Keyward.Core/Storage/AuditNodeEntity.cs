namespace Keyward.Core.Storage;

/// <summary>The hash of a complete subtree: level k, index i covers leaves [i·2^k, (i+1)·2^k).</summary>
public sealed class AuditNodeEntity
{
    public int Level { get; set; }
    public long Index { get; set; }
    public required byte[] Hash { get; set; }
}
