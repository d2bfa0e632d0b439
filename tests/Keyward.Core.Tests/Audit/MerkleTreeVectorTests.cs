using Keyward.Core.Audit;

namespace Keyward.Core.Tests.Audit;

/// <summary>
/// The eight-leaf reference tree every RFC 6962 implementation tests against. Leaves, roots and proofs are the published
/// values from transparency-dev/merkle (formerly Trillian's merkle package), proof/verify_test.go: <c>leaves</c>,
/// <c>roots</c>, <c>inclusionProofs</c> and <c>consistencyProofs</c>; the same values appear in Google's
/// certificate-transparency C++ merkle_tree_test.cc. Their inclusion vectors number leaves from 1; here from 0.
/// </summary>
public sealed class MerkleTreeVectorTests
{
    private static readonly byte[][] LeafData =
    [
        [], H("00"), H("10"), H("2021"), H("3031"), H("40414243"), H("5051525354555657"), H("606162636465666768696a6b6c6d6e6f"),
    ];

    private static readonly string[] Roots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<long, long, string[]> InclusionVectors => new()
    {
        { 0, 1, [] },
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
    };

    public static TheoryData<long, long, string[]> ConsistencyVectors => new()
    {
        { 1, 1, [] },
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    [Fact]
    public void RootHash_ReferenceTree_MatchesPublishedRootForEverySize()
    {
        var nodes = NaiveMerkle.Nodes([.. LeafData.Select(d => MerkleTree.HashLeaf(d))]);
        for (var size = 0; size <= 8; size++)
        {
            Assert.Equal(Roots[size], Hex(MerkleTree.RootHash(size, id => nodes[id])));
        }
    }

    [Fact]
    public void Frontier_AppendingReferenceLeaves_HasPublishedRootAfterEach()
    {
        var frontier = MerkleFrontier.Empty();
        Assert.Equal(Roots[0], Hex(frontier.Root()));
        for (var i = 0; i < 8; i++)
        {
            frontier.Append(MerkleTree.HashLeaf(LeafData[i]));
            Assert.Equal(Roots[i + 1], Hex(frontier.Root()));
        }
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void InclusionProof_ReferenceTree_MatchesPublishedPathAndVerifies(long index, long size, string[] expected)
    {
        var leaves = LeafData.Select(d => MerkleTree.HashLeaf(d)).ToArray();
        var nodes = NaiveMerkle.Nodes(leaves);

        var proof = MerkleTree.InclusionProof(index, size, id => nodes[id]);

        Assert.Equal(expected, proof.Select(Hex));
        Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], proof, H(Roots[size])));
        Assert.False(MerkleTree.VerifyInclusion(index, size, MerkleTree.HashLeaf([0xFF]), proof, H(Roots[size])));
        if (size > 1)
        {
            Assert.False(MerkleTree.VerifyInclusion((index + 1) % size, size, leaves[index], proof, H(Roots[size])));
        }
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void ConsistencyProof_ReferenceTree_MatchesPublishedProofAndVerifies(long first, long second, string[] expected)
    {
        var nodes = NaiveMerkle.Nodes([.. LeafData.Select(d => MerkleTree.HashLeaf(d))]);

        var proof = MerkleTree.ConsistencyProof(first, second, id => nodes[id]);

        Assert.Equal(expected, proof.Select(Hex));
        Assert.True(MerkleTree.VerifyConsistency(first, second, proof, H(Roots[first]), H(Roots[second])));
        if (first != second)
        {
            Assert.False(MerkleTree.VerifyConsistency(first, second, proof, H(Roots[first - 1]), H(Roots[second])));
            Assert.False(MerkleTree.VerifyConsistency(first, second, proof, H(Roots[first]), H(Roots[second - 1])));
        }
    }

    [Fact]
    public void LeafHash_EmptyLeaf_IsPublishedSizeOneRoot()
    {
        Assert.Equal(Roots[1], Hex(MerkleTree.HashLeaf([])));
        Assert.Equal(Roots[0], Hex(MerkleTree.EmptyRoot.ToArray()));
    }

    private static byte[] H(string hex) => Convert.FromHexString(hex);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
