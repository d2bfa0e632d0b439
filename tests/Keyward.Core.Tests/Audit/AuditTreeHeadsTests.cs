using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Testing;

namespace Keyward.Core.Tests.Audit;

/// <summary>Signed tree heads on real databases.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class AuditTreeHeadsTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task SignIfGrownAsync_AsTheLogGrows_SignsEachNewSizeOnceAndHeadsAreConsistent(StorageProvider provider)
    {
        await using var store = await AuditStore.CreateAsync(provider, postgres);
        await using var log = new AuditLog(store.Database, TimeProvider.System, new AuditOptions());
        using var key = AuditSigningKey.Generate();
        var reader = new AuditReader(store.Database);
        using var heads = new AuditTreeHeads(store.Database, reader, key, TimeProvider.System);

        var empty = await heads.SignIfGrownAsync();
        Assert.Equal(0, empty.TreeSize);
        Assert.Equal(MerkleTree.EmptyRoot.ToArray(), empty.RootHash);

        await log.AppendBatchAsync([.. Enumerable.Range(0, 6).Select(i => AuditStore.Record(i))]);
        var six = await heads.SignIfGrownAsync();
        Assert.Equal(six, await heads.SignIfGrownAsync());
        await log.AppendBatchAsync([.. Enumerable.Range(6, 11).Select(i => AuditStore.Record(i))]);
        var seventeen = await heads.SignIfGrownAsync();

        Assert.Equal([0L, 6, 17], (await heads.ListAsync()).Select(h => h.TreeSize));
        Assert.Equal(seventeen, await heads.GetLatestAsync());
        Assert.All(await heads.ListAsync(), h => Assert.True(h.VerifySignature(key.SubjectPublicKeyInfo)));
        Assert.Equal(key.KeyId, seventeen.KeyId);
        var leaves = (await store.EventsAsync()).Select(r => r.LeafHash).ToList();
        Assert.Equal(NaiveMerkle.Root(leaves[..6]), six.RootHash);
        Assert.Equal(NaiveMerkle.Root(leaves), seventeen.RootHash);
        var proof = await reader.GetConsistencyProofAsync(6, 17);
        Assert.True(MerkleTree.VerifyConsistency(6, 17, proof!.Path, six.RootHash, seventeen.RootHash));
    }

    [Fact]
    public async Task VerifySignature_AlteredHeadOrOtherKey_Fails()
    {
        await using var store = await AuditStore.CreateAsync(StorageProvider.Sqlite, postgres);
        using var key = AuditSigningKey.Generate();
        using var other = AuditSigningKey.Generate();
        using var heads = new AuditTreeHeads(store.Database, new AuditReader(store.Database), key, TimeProvider.System);
        var head = await heads.SignIfGrownAsync();

        Assert.True(head.VerifySignature(key.SubjectPublicKeyInfo));
        Assert.False(head.VerifySignature(other.SubjectPublicKeyInfo));
        Assert.False((head with { TreeSize = 1 }).VerifySignature(key.SubjectPublicKeyInfo));
        Assert.False((head with { Timestamp = head.Timestamp + 1 }).VerifySignature(key.SubjectPublicKeyInfo));
        Assert.False((head with { RootHash = MerkleTree.HashLeaf([]) }).VerifySignature(key.SubjectPublicKeyInfo));
    }

    [Fact]
    public void SignatureInput_IsRfc6962TreeHeadSignatureLayout()
    {
        var root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var input = SignedTreeHead.SignatureInput(treeSize: 0x0102, timestamp: 0x0A0B0C0D, root);

        Assert.Equal("0001" + "000000000a0b0c0d" + "0000000000000102" + Convert.ToHexStringLower(root), Convert.ToHexStringLower(input));
    }

    [Fact]
    public void SigningKey_PemRoundTrip_KeepsKeyIdAndVerifies()
    {
        using var key = AuditSigningKey.Generate();
        using var loaded = AuditSigningKey.FromPrivateKeyPem(key.ExportPrivateKeyPem());
        var data = "data"u8.ToArray();

        Assert.Equal(key.KeyId, loaded.KeyId);
        Assert.True(AuditSigningKey.Verify(key.SubjectPublicKeyInfo, data, loaded.Sign(data)));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", key.PublicKeyPem, StringComparison.Ordinal);
        Assert.Equal(43, key.KeyId.Length);
    }
}
