namespace Keyward.Core.Audit;

public static partial class MerkleTree
{
    /// <summary>
    /// Verifies that <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree of
    /// <paramref name="size"/> leaves whose root is <paramref name="root"/> (RFC 9162 §2.1.3.2).
    /// </summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);

        // Step 1: the leaf index must lie inside the tree.
        if (index < 0 || index >= size || leafHash.Length != HashSize || root.Length != HashSize)
        {
            return false;
        }

        // Steps 2 and 3.
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();

        // Step 4.
        foreach (var p in proof)
        {
            if (sn == 0 || p is null || p.Length != HashSize)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = HashChildren(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = HashChildren(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        return sn == 0 && root.SequenceEqual(r);
    }

    /// <summary>
    /// Verifies that the tree of <paramref name="second"/> leaves with root <paramref name="secondRoot"/> extends the
    /// tree of <paramref name="first"/> leaves with root <paramref name="firstRoot"/> (RFC 9162 §2.1.4.2). Equal sizes
    /// need an empty proof and equal roots; any tree extends the empty tree (empty proof).
    /// </summary>
    public static bool VerifyConsistency(long first, long second, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (first < 0 || second < first || firstRoot.Length != HashSize || secondRoot.Length != HashSize)
        {
            return false;
        }

        if (first == second)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (first == 0)
        {
            return proof.Count == 0;
        }

        // Step 1.
        if (proof.Count == 0 || proof.Any(p => p is null || p.Length != HashSize))
        {
            return false;
        }

        // Step 2: when first is an exact power of two, its root is the first element of the path.
        IReadOnlyList<byte[]> path = (first & (first - 1)) == 0 ? [firstRoot.ToArray(), .. proof] : proof;

        // Steps 3 and 4.
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        var fr = path[0];
        var sr = path[0];

        // Step 6.
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = HashChildren(c, fr);
                sr = HashChildren(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = HashChildren(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 7.
        return sn == 0 && firstRoot.SequenceEqual(fr) && secondRoot.SequenceEqual(sr);
    }
}
