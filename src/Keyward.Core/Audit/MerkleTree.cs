using System.Numerics;
using System.Security.Cryptography;

namespace Keyward.Core.Audit;

/// <summary>
/// RFC 6962 §2.1 Merkle tree math over SHA-256, with no storage: hashes, the complete subtrees that make up any
/// subtree of the tree, roots, inclusion and consistency proofs, and their verifiers (RFC 9162 §2.1.3.2, §2.1.4.2).
/// Every function that needs stored hashes takes a lookup of complete-subtree hashes (<see cref="MerkleNodeId"/>),
/// so a caller can fetch the O(log n) nodes a computation needs in one read (<see cref="RangeNodes"/>).
/// </summary>
public static partial class MerkleTree
{
    /// <summary>The size of every hash (SHA-256).</summary>
    public const int HashSize = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    private static readonly byte[] Empty = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The root of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1).</summary>
    public static ReadOnlySpan<byte> EmptyRoot => Empty;

    /// <summary>A leaf hash: SHA-256(0x00 ‖ data).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([LeafPrefix]);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>An interior node hash: SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * HashSize)];
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException("Node hashes are 32 bytes.");
        }

        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n ≥ 2): RFC 6962's split point k.</summary>
    public static long SplitPoint(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }

    /// <summary>
    /// The complete subtrees, left to right and largest first, whose hashes fold (right to left) into MTH(D[start:end]).
    /// The range must be a subtree of some RFC 6962 tree: either complete and aligned, or a right edge whose start is
    /// a multiple of the smallest power of two ≥ its length. Every range a proof or root needs is of that form.
    /// </summary>
    public static IReadOnlyList<MerkleNodeId> RangeNodes(long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(end, start);
        var nodes = new List<MerkleNodeId>(BitOperations.PopCount((ulong)(end - start)));
        for (var position = start; position < end;)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - position));
            if ((position & ((1L << level) - 1)) != 0)
            {
                throw new ArgumentException($"[{start}, {end}) is not a subtree of an RFC 6962 tree.", nameof(start));
            }

            nodes.Add(new MerkleNodeId(level, position >> level));
            position += 1L << level;
        }

        return nodes;
    }

    /// <summary>MTH(D[start:end]) from the stored hashes of its complete subtrees (at most log n of them).</summary>
    public static byte[] RangeHash(long start, long end, Func<MerkleNodeId, byte[]> node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var nodes = RangeNodes(start, end);
        var hash = node(nodes[^1]);
        for (var i = nodes.Count - 2; i >= 0; i--)
        {
            hash = HashChildren(node(nodes[i]), hash);
        }

        return hash;
    }

    /// <summary>The root hash of the first <paramref name="size"/> leaves.</summary>
    public static byte[] RootHash(long size, Func<MerkleNodeId, byte[]> node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return size == 0 ? [.. Empty] : RangeHash(0, size, node);
    }

    /// <summary>The nodes <see cref="RootHash"/> reads.</summary>
    public static IReadOnlyList<MerkleNodeId> RootNodes(long size) => size == 0 ? [] : RangeNodes(0, size);
}
