using System.Text;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Testing;

namespace Keyward.Core.Tests.Vault;

/// <summary>The queries of <see cref="VaultService"/> that each provider translates itself, on SQLite and PostgreSQL.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class VaultServiceProviderTests(PostgresFixture postgres) : IAsyncLifetime
{
    private VaultStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    private async Task<VaultStore> StoreAsync(StorageProvider provider) => _store = await VaultStore.CreateAsync(provider, postgres);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task ListAsync_PrefixWithLikeWildcards_MatchesLiterallyAndSkipsDeleted(StorageProvider provider)
    {
        var vault = (await StoreAsync(provider)).Service();
        await vault.PutAsync(VaultStore.Address("a_b/one"), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("a_b/one"), Bytes("2"));
        await vault.PutAsync(VaultStore.Address("axb/two"), Bytes("1"));
        await vault.PutAsync(VaultStore.Address("a_b/gone"), Bytes("1"));
        await vault.DeleteAsync(VaultStore.Address("a_b/gone"));

        var listed = await vault.ListAsync(Tenants.Default, VaultDataClass.Credential, VaultStore.Operator, VaultStore.Actor, "a_b/", 10);

        // "_" is a LIKE wildcard: a translation that did not escape it would list axb/two too.
        Assert.Equal([("a_b/one", 2)], listed.Value!.Select(e => (e.Path, e.Version)));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task PutAsync_ConcurrentPutsOnSeveralNodes_GetDistinctVersionsAndAllDecrypt(StorageProvider provider)
    {
        var store = await StoreAsync(provider);
        var address = VaultStore.Address();

        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            new VaultService(store.Reopen(), store.Keys, store.Keks.Options(), store.Time).PutAsync(address, Bytes($"v{i}")))));

        Assert.Equal([1, 2, 3, 4], versions.Select(v => v.Value).Order());
        for (var version = 1; version <= 4; version++)
        {
            using var secret = (await store.Service().GetAsync(address, version)).Value!;
            Assert.StartsWith("v", Encoding.UTF8.GetString(secret.Value), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task GetAsync_CiphertextCopiedToAnotherActorsRow_FailsToDecrypt(StorageProvider provider)
    {
        var store = await StoreAsync(provider);
        var vault = store.Service();
        var other = VaultStore.Address() with { ActorId = Guid.NewGuid() };
        await vault.PutAsync(VaultStore.Address(), Bytes("victim"));
        await vault.PutAsync(other, Bytes("other"));
        var rows = await store.RowsAsync();

        await store.UpdateRowAsync(rows[1].Id, r =>
        {
            r.WrappedKey = rows[0].WrappedKey;
            r.KeyNonce = rows[0].KeyNonce;
            r.ValueNonce = rows[0].ValueNonce;
            r.Ciphertext = rows[0].Ciphertext;
        });

        Assert.Equal(VaultFailure.DecryptFailed, (await vault.GetAsync(other)).Failure);
    }
}
