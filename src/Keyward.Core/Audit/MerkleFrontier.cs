namespace Keyward.Core.Audit;

/// <summary>
/// The right edge of a growing tree: the hashes of the complete subtrees that make up the first <see cref="Size"/>
/// leaves (one per set bit of the size, largest first). Appending a leaf completes O(1) amortized subtrees; the root
/// folds at most log n hashes. Not thread-safe.
/// </summary>
internal sealed class MerkleFrontier
{
    private readonly List<byte[]> _hashes;

    private MerkleFrontier(long size, List<byte[]> hashes)
    {
        Size = size;
        _hashes = hashes;
    }

    /// <summary>The number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>An empty tree.</summary>
    public static MerkleFrontier Empty() => new(0, []);

    /// <summary>The edge of a stored tree of <paramref name="size"/> leaves, from its complete subtrees (<see cref="MerkleTree.RootNodes"/>).</summary>
    public static MerkleFrontier Load(long size, Func<MerkleNodeId, byte[]> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new MerkleFrontier(size, [.. MerkleTree.RootNodes(size).Select(node)]);
    }

    /// <summary>A copy to append to without changing this one.</summary>
    public MerkleFrontier Clone() => new(Size, [.. _hashes]);

    /// <summary>Appends a leaf hash; reports each subtree (level ≥ 1) it completes, bottom up.</summary>
    public void Append(byte[] leafHash, Action<MerkleNodeId, byte[]>? completed = null)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        var hash = leafHash;
        var index = Size;
        var level = 0;

        // Each trailing 1 bit of the leaf's index is a complete left sibling waiting on the edge.
        while ((index & 1) == 1)
        {
            hash = MerkleTree.HashChildren(_hashes[^1], hash);
            _hashes.RemoveAt(_hashes.Count - 1);
            level++;
            index >>= 1;
            completed?.Invoke(new MerkleNodeId(level, index), hash);
        }

        _hashes.Add(hash);
        Size++;
    }

    /// <summary>The root hash of the leaves so far.</summary>
    public byte[] Root()
    {
        if (_hashes.Count == 0)
        {
            return MerkleTree.EmptyRoot.ToArray();
        }

        var hash = _hashes[^1];
        for (var i = _hashes.Count - 2; i >= 0; i--)
        {
            hash = MerkleTree.HashChildren(_hashes[i], hash);
        }

        return hash;
    }
}
