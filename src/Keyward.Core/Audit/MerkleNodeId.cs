namespace Keyward.Core.Audit;

/// <summary>
/// A complete subtree of the audit tree: <see cref="Level"/> k and <see cref="Index"/> i cover the leaves
/// [i·2^k, (i+1)·2^k). Level 0 is a single leaf.
/// </summary>
/// <param name="Level">The height above the leaves (0..62).</param>
/// <param name="Index">The position of the subtree among those of its level, from the left.</param>
public readonly record struct MerkleNodeId(int Level, long Index)
{
    /// <summary>The first leaf covered.</summary>
    public long Start => Index << Level;

    /// <summary>One past the last leaf covered.</summary>
    public long End => (Index + 1) << Level;
}
