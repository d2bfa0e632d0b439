using System.Security.Cryptography;

namespace Keyward.Core.Tests.Audit;

/// <summary>
/// RFC 6962 §2.1 written out as recursion over a list of leaf hashes, as the RFC defines MTH, PATH and PROOF: the
/// reference the stored-hash implementation is checked against. Slow on purpose.
/// </summary>
internal static class NaiveMerkle
{
    public static byte[] Leaf(byte[] data) => SHA256.HashData([0x00, .. data]);

    public static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>MTH(D[n]) over leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves) => leaves.Count == 0 ? SHA256.HashData([]) : Mth(leaves, 0, leaves.Count);

    /// <summary>PATH(m, D[n]).</summary>
    public static List<byte[]> Path(IReadOnlyList<byte[]> leaves, int m) => PathOf(leaves, m, 0, leaves.Count);

    /// <summary>PROOF(m, D[n]).</summary>
    public static List<byte[]> Proof(IReadOnlyList<byte[]> leaves, int m) =>
        m == 0 || m == leaves.Count ? [] : SubProof(leaves, m, 0, leaves.Count, true);

    /// <summary>The leaf hashes of events 0..n-1 with simple distinct contents.</summary>
    public static List<byte[]> Leaves(int n) => [.. Enumerable.Range(0, n).Select(i => Leaf(BitConverter.GetBytes(i * 7919L)))];

    private static byte[] Mth(IReadOnlyList<byte[]> d, int start, int end)
    {
        var n = end - start;
        if (n == 1)
        {
            return d[start];
        }

        var k = K(n);
        return Node(Mth(d, start, start + k), Mth(d, start + k, end));
    }

    private static List<byte[]> PathOf(IReadOnlyList<byte[]> d, int m, int start, int end)
    {
        var n = end - start;
        if (n == 1)
        {
            return [];
        }

        var k = K(n);
        return m < k
            ? [.. PathOf(d, m, start, start + k), Mth(d, start + k, end)]
            : [.. PathOf(d, m - k, start + k, end), Mth(d, start, start + k)];
    }

    private static List<byte[]> SubProof(IReadOnlyList<byte[]> d, int m, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(d, start, end)];
        }

        var k = K(n);
        return m <= k
            ? [.. SubProof(d, m, start, start + k, b), Mth(d, start + k, end)]
            : [.. SubProof(d, m - k, start + k, end, false), Mth(d, start, start + k)];
    }

    /// <summary>The largest power of two smaller than n.</summary>
    private static int K(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }

    /// <summary>Every complete subtree hash of the first n leaves, as storage would hold them.</summary>
    public static Dictionary<Keyward.Core.Audit.MerkleNodeId, byte[]> Nodes(IReadOnlyList<byte[]> leaves)
    {
        var nodes = new Dictionary<Keyward.Core.Audit.MerkleNodeId, byte[]>();
        for (var level = 0; (1 << level) <= leaves.Count; level++)
        {
            for (var index = 0; (index + 1) << level <= leaves.Count; index++)
            {
                nodes[new(level, index)] = Mth(leaves, index << level, (index + 1) << level);
            }
        }

        return nodes;
    }
}
