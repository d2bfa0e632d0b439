using Keyward.Core.Audit;

namespace Keyward.Core.Tests.Audit;

/// <summary>The stored-hash tree math against <see cref="NaiveMerkle"/>, the RFC's recursion written out.</summary>
public sealed class MerkleTreeTests
{
    public static TheoryData<int> Sizes => new() { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RootHash_FromStoredSubtrees_EqualsNaiveRoot(int size)
    {
        var leaves = NaiveMerkle.Leaves(size);
        var nodes = NaiveMerkle.Nodes(leaves);
        var reads = new List<MerkleNodeId>();

        var root = MerkleTree.RootHash(size, id =>
        {
            reads.Add(id);
            return nodes[id];
        });

        Assert.Equal(NaiveMerkle.Root(leaves), root);

        // One stored hash per set bit of the size: never a re-hash of the leaves.
        Assert.Equal(System.Numerics.BitOperations.PopCount((uint)size), reads.Count);
        Assert.Equal(MerkleTree.RootNodes(size).ToHashSet(), reads.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Frontier_AppendingOneByOne_CompletesExactlyTheStoredNodesAndMatchesRoot(int size)
    {
        var leaves = NaiveMerkle.Leaves(size);
        var expected = NaiveMerkle.Nodes(leaves).Where(p => p.Key.Level > 0).ToDictionary();
        var completed = new Dictionary<MerkleNodeId, byte[]>();
        var frontier = MerkleFrontier.Empty();

        foreach (var leaf in leaves)
        {
            frontier.Append(leaf, (id, hash) => completed.Add(id, hash));
        }

        Assert.Equal(NaiveMerkle.Root(leaves), frontier.Root());
        Assert.Equal(expected.Count, completed.Count);
        Assert.All(expected, p => Assert.Equal(p.Value, completed[p.Key]));
    }

    [Fact]
    public void Frontier_LoadedFromStoredNodes_ContinuesLikeOneBuiltFromScratch()
    {
        var leaves = NaiveMerkle.Leaves(77);
        var nodes = NaiveMerkle.Nodes(leaves[..45]);
        var frontier = MerkleFrontier.Load(45, id => nodes[id]);

        foreach (var leaf in leaves[45..])
        {
            frontier.Append(leaf);
        }

        Assert.Equal(NaiveMerkle.Root(leaves), frontier.Root());
    }

    [Fact]
    public void InclusionProof_EveryLeafOfManySizes_EqualsNaivePathAndVerifies()
    {
        foreach (var size in Enumerable.Range(1, 70).Append(128).Append(129))
        {
            var leaves = NaiveMerkle.Leaves(size);
            var nodes = NaiveMerkle.Nodes(leaves);
            var root = NaiveMerkle.Root(leaves);
            for (var m = 0; m < size; m++)
            {
                var proof = MerkleTree.InclusionProof(m, size, id => nodes[id]);

                Assert.Equal(NaiveMerkle.Path(leaves, m), proof);
                Assert.True(MerkleTree.VerifyInclusion(m, size, leaves[m], proof, root), $"leaf {m} of {size}");
                Assert.False(MerkleTree.VerifyInclusion(m, size * 2, leaves[m], proof, root), $"size*2: leaf {m} of {size}");
                if (proof.Length > 0)
                {
                    Assert.False(MerkleTree.VerifyInclusion(m, size, leaves[m], proof[..^1], root), $"short: leaf {m} of {size}");
                    Assert.False(MerkleTree.VerifyInclusion(m, size, leaves[m], [.. proof, root], root), $"long: leaf {m} of {size}");
                }
            }
        }
    }

    [Fact]
    public void ConsistencyProof_EveryPairOfManySizes_EqualsNaiveProofAndVerifies()
    {
        for (var second = 1; second <= 70; second++)
        {
            var leaves = NaiveMerkle.Leaves(second);
            var nodes = NaiveMerkle.Nodes(leaves);
            var secondRoot = NaiveMerkle.Root(leaves);
            for (var first = 1; first <= second; first++)
            {
                var firstRoot = NaiveMerkle.Root(leaves[..first]);
                var proof = MerkleTree.ConsistencyProof(first, second, id => nodes[id]);

                Assert.Equal(NaiveMerkle.Proof(leaves, first), proof);
                Assert.True(MerkleTree.VerifyConsistency(first, second, proof, firstRoot, secondRoot), $"{first} -> {second}");
                if (first < second)
                {
                    var otherFirst = NaiveMerkle.Root([.. leaves[..(first - 1)], NaiveMerkle.Leaf([0xAB])]);
                    Assert.False(MerkleTree.VerifyConsistency(first, second, proof, otherFirst, secondRoot));
                    Assert.False(MerkleTree.VerifyConsistency(first, second, proof[..^1], firstRoot, secondRoot));
                    Assert.False(MerkleTree.VerifyConsistency(second, first, proof, secondRoot, firstRoot));
                }
            }
        }
    }

    [Fact]
    public void VerifyConsistency_EdgeSizes_FollowTheReferenceRules()
    {
        var a = NaiveMerkle.Leaf([1]);
        var b = NaiveMerkle.Leaf([2]);

        Assert.True(MerkleTree.VerifyConsistency(0, 0, [], a, a));
        Assert.True(MerkleTree.VerifyConsistency(0, 5, [], a, b));
        Assert.True(MerkleTree.VerifyConsistency(3, 3, [], a, a));
        Assert.False(MerkleTree.VerifyConsistency(3, 3, [], a, b));
        Assert.False(MerkleTree.VerifyConsistency(3, 3, [a], a, a));
        Assert.False(MerkleTree.VerifyConsistency(0, 5, [a], a, b));
        Assert.False(MerkleTree.VerifyConsistency(2, 1, [], a, b));
        Assert.False(MerkleTree.VerifyConsistency(1, 2, [], a, b));
    }

    [Fact]
    public void VerifyInclusion_IndexOutsideTree_Fails()
    {
        var leaf = NaiveMerkle.Leaf([1]);

        Assert.True(MerkleTree.VerifyInclusion(0, 1, leaf, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(1, 1, leaf, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(0, 0, leaf, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(-1, 1, leaf, [], leaf));
        Assert.False(MerkleTree.VerifyInclusion(0, 1, leaf, [], new byte[31]));
    }

    [Fact]
    public void Proofs_AtMillionEvents_ReadOnlyLogarithmicallyManyNodes()
    {
        const long size = 1_000_000;
        var inclusion = MerkleTree.NodesOf(MerkleTree.InclusionRanges(123_457, size));
        var consistency = MerkleTree.NodesOf(MerkleTree.ConsistencyRanges(654_321, size));

        Assert.InRange(inclusion.Count, 1, 2 * 20);
        Assert.InRange(consistency.Count, 1, 2 * 20);
    }

    [Fact]
    public void RangeNodes_UnalignedRange_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => MerkleTree.RangeNodes(1, 3));
        Assert.Equal([new MerkleNodeId(2, 1), new MerkleNodeId(0, 8)], MerkleTree.RangeNodes(4, 9));
    }
}
