namespace Keyward.Core.Audit;

public static partial class MerkleTree
{
    /// <summary>
    /// The subtrees whose hashes make the audit path of leaf <paramref name="index"/> in a tree of
    /// <paramref name="size"/> leaves (RFC 6962 §2.1.1 PATH(m, D[n])), from the leaf's sibling up to the root's child.
    /// </summary>
    public static IReadOnlyList<(long Start, long End)> InclusionRanges(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var ranges = new List<(long, long)>();
        long start = 0, end = size;
        while (end - start > 1)
        {
            var k = SplitPoint(end - start);
            if (index - start < k)
            {
                // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
                ranges.Add((start + k, end));
                end = start + k;
            }
            else
            {
                // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
                ranges.Add((start, start + k));
                start += k;
            }
        }

        ranges.Reverse();
        return ranges;
    }

    /// <summary>
    /// The subtrees whose hashes make the consistency proof between the first <paramref name="first"/> and the first
    /// <paramref name="second"/> leaves (RFC 6962 §2.1.2 PROOF(m, D[n])). Empty when first is 0 or equals second.
    /// </summary>
    public static IReadOnlyList<(long Start, long End)> ConsistencyRanges(long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var ranges = new List<(long, long)>();
        if (first == 0 || first == second)
        {
            return ranges;
        }

        long start = 0, end = second, m = first;
        var complete = true;
        while (true)
        {
            if (m == end - start)
            {
                // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
                if (!complete)
                {
                    ranges.Add((start, end));
                }

                break;
            }

            var k = SplitPoint(end - start);
            if (m <= k)
            {
                // SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
                ranges.Add((start + k, end));
                end = start + k;
            }
            else
            {
                // SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
                ranges.Add((start, start + k));
                start += k;
                m -= k;
                complete = false;
            }
        }

        ranges.Reverse();
        return ranges;
    }

    /// <summary>Every complete subtree the given ranges are made of: what to read from storage, once.</summary>
    public static IReadOnlyCollection<MerkleNodeId> NodesOf(IEnumerable<(long Start, long End)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var nodes = new HashSet<MerkleNodeId>();
        foreach (var (start, end) in ranges)
        {
            nodes.UnionWith(RangeNodes(start, end));
        }

        return nodes;
    }

    /// <summary>The audit path of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves.</summary>
    public static byte[][] InclusionProof(long index, long size, Func<MerkleNodeId, byte[]> node) =>
        [.. InclusionRanges(index, size).Select(r => RangeHash(r.Start, r.End, node))];

    /// <summary>The consistency proof between tree sizes <paramref name="first"/> and <paramref name="second"/>.</summary>
    public static byte[][] ConsistencyProof(long first, long second, Func<MerkleNodeId, byte[]> node) =>
        [.. ConsistencyRanges(first, second).Select(r => RangeHash(r.Start, r.End, node))];
}
