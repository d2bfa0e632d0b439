using System.Text;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Testing;

namespace Keyward.Core.Tests.Vault;

/// <summary><see cref="VaultEpochs"/>: forward only, on SQLite and on PostgreSQL.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class VaultEpochsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly List<VaultStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private async Task<VaultStore> StoreAsync(StorageProvider provider = StorageProvider.Sqlite, TestKeks? keks = null, bool initialize = true)
    {
        var store = await VaultStore.CreateAsync(provider, postgres, keks, initialize);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task InitializeAsync_Twice_MakesOneEpochOneRecordingItsKeyId()
    {
        var store = await StoreAsync(initialize: false);

        var first = await store.Epochs().InitializeAsync();
        var second = await store.Epochs().InitializeAsync();

        Assert.Equal(first.Value, second.Value);
        var epoch = Assert.Single(await store.Epochs().ListAsync());
        Assert.Equal((1, VaultEpochStates.Current, store.Keys.KeyId(1)), (epoch.Number, epoch.State, epoch.KeyId));
    }

    [Fact]
    public async Task AdvanceAsync_InTheCallersTransaction_TakesEffectOnlyWhenTheCallerCommits()
    {
        var store = await StoreAsync();

        await using (var db = store.Database.CreateContext())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.True((await store.Epochs().AdvanceAsync(db, 2)).Succeeded);
            await transaction.RollbackAsync();
        }

        Assert.Equal(1, (await store.Epochs().CurrentAsync())!.Number);

        await using (var db = store.Database.CreateContext())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(VaultFailure.EpochNotNext, (await store.Epochs().AdvanceAsync(db, 3)).Failure);
            Assert.True((await store.Epochs().AdvanceAsync(db, 2)).Succeeded);
            await transaction.CommitAsync();
        }

        Assert.Equal(2, (await store.Epochs().CurrentAsync())!.Number);
    }

    [Fact]
    public async Task InitializeAsync_NoKeyForEpochOne_IsRefused()
    {
        var store = await StoreAsync(keks: new TestKeks(2), initialize: false);

        Assert.Equal(VaultFailure.KeyMissing, (await store.Epochs().InitializeAsync()).Failure);
        Assert.Empty(await store.Epochs().ListAsync());
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task AdvanceAsync_ToNext_NewWritesUseItAndOldSecretsStayReadable(StorageProvider provider)
    {
        var store = await StoreAsync(provider);
        var vault = store.Service();
        await vault.PutAsync(VaultStore.Address("old"), Encoding.UTF8.GetBytes("old"));

        var advanced = await store.Epochs().AdvanceAsync(2);

        Assert.Equal(2, advanced.Value!.Number);
        await vault.PutAsync(VaultStore.Address("new"), Encoding.UTF8.GetBytes("new"));
        Assert.Equal([1, 2], (await store.RowsAsync()).Select(r => r.Epoch));
        using (var old = (await vault.GetAsync(VaultStore.Address("old"))).Value!)
        {
            Assert.Equal("old"u8.ToArray(), old.Value.ToArray());
        }

        Assert.Equal([(1, VaultEpochStates.Readable, 1L), (2, VaultEpochStates.Current, 1L)], (await store.Epochs().ListAsync()).Select(e => (e.Number, e.State, e.DataKeys)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task AdvanceAsync_AnythingButTheNextEpoch_IsRefusedAndChangesNothing(int to)
    {
        var store = await StoreAsync();
        Assert.True((await store.Epochs().AdvanceAsync(2)).Succeeded);
        var before = await store.Epochs().ListAsync();

        // Current is 2: 1 and 2 would go back or stay, 4 would skip.
        Assert.Equal(VaultFailure.EpochNotNext, (await store.Epochs().AdvanceAsync(to)).Failure);

        Assert.Equal(before, await store.Epochs().ListAsync());
    }

    [Fact]
    public async Task AdvanceAsync_NoKeyForTheNextEpoch_IsRefused()
    {
        var store = await StoreAsync(keks: new TestKeks(1));

        Assert.Equal(VaultFailure.KeyMissing, (await store.Epochs().AdvanceAsync(2)).Failure);
        Assert.Equal(1, (await store.Epochs().CurrentAsync())!.Number);
    }

    [Fact]
    public async Task AdvanceAsync_NextEpochConfiguredWithAnEarlierEpochsKey_IsRefused()
    {
        var keks = new TestKeks(1);
        keks.Set(2, keks.Variables[TestKeks.Variable(1)]);
        var store = await StoreAsync(keks: keks);

        Assert.Equal(VaultFailure.KeyReused, (await store.Epochs().AdvanceAsync(2)).Failure);
        Assert.Equal(1, (await store.Epochs().CurrentAsync())!.Number);
    }

    [Fact]
    public async Task AdvanceAsync_BeforeInitialize_IsRefused()
    {
        var store = await StoreAsync(initialize: false);

        Assert.Equal(VaultFailure.NoEpoch, (await store.Epochs().AdvanceAsync(1)).Failure);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task AdvanceAsync_ConcurrentAdvancesOnSeveralNodes_MakeExactlyOneNext(StorageProvider provider)
    {
        var store = await StoreAsync(provider);
        var nodes = Enumerable.Range(0, 6).Select(_ => store.Epochs(database: store.Reopen())).ToList();
        using var start = new Barrier(nodes.Count);

        var outcomes = await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await node.AdvanceAsync(2);
        })));

        Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Equal(VaultFailure.EpochNotNext, o.Failure));
        Assert.Equal([(1, VaultEpochStates.Readable), (2, VaultEpochStates.Current)], (await store.Epochs().ListAsync()).Select(e => (e.Number, e.State)));
    }

    [Fact]
    public async Task RetireAsync_CurrentEpoch_IsRefused()
    {
        var store = await StoreAsync();

        Assert.Equal(VaultFailure.EpochCurrent, (await store.Epochs().RetireAsync(1)).Failure);
        Assert.Equal(VaultFailure.EpochUnknown, (await store.Epochs().RetireAsync(9)).Failure);
    }

    [Fact]
    public async Task RetireAsync_DataKeysStillWrappedUnderIt_IsRefusedEvenForDeletedSecrets()
    {
        var store = await StoreAsync();
        await store.Service().PutAsync(VaultStore.Address(), "x"u8.ToArray());
        await store.Service().DeleteAsync(VaultStore.Address());
        await store.Epochs().AdvanceAsync(2);

        Assert.Equal(VaultFailure.EpochInUse, (await store.Epochs().RetireAsync(1)).Failure);
        Assert.Equal(VaultEpochStates.Readable, (await store.Epochs().ListAsync())[0].State);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RetireAsync_AfterRekey_RetiresAndReadsStillWork(StorageProvider provider)
    {
        var store = await StoreAsync(provider);
        await store.Service().PutAsync(VaultStore.Address(), "x"u8.ToArray());
        await store.Epochs().AdvanceAsync(2);
        Assert.True((await store.Rekey().RunAsync()).Succeeded);

        var retired = await store.Epochs().RetireAsync(1);

        Assert.Equal(VaultEpochStates.Retired, retired.Value!.State);
        Assert.Equal(store.Time.GetUtcNow(), retired.Value.RetiredAt);
        Assert.True((await store.Epochs().RetireAsync(1)).Succeeded);
        using var secret = (await store.Service().GetAsync(VaultStore.Address())).Value!;
        Assert.Equal("x"u8.ToArray(), secret.Value.ToArray());
        Assert.Equal(VaultFailure.EpochNotNext, (await store.Epochs().AdvanceAsync(1)).Failure);
    }

    [Fact]
    public async Task CheckKeysAsync_MissingOrReplacedKeysOfLiveEpochs_AreEachReported()
    {
        var store = await StoreAsync();
        await store.Service().PutAsync(VaultStore.Address(), "x"u8.ToArray());
        await store.Epochs().AdvanceAsync(2);
        await store.Epochs().AdvanceAsync(3);
        Assert.True((await store.Epochs().RetireAsync(2)).Succeeded);
        Assert.Empty(await store.Epochs().CheckKeysAsync());

        // Epoch 1 (readable) has no key, 2 is retired and needs none, 3 (current) has another key.
        var wrong = store.Track(new TestKeks(3).Load());
        var problems = await store.Epochs(wrong).CheckKeysAsync();

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Keyward:Vault:Keys:1 is not set, but epoch 1 is readable and wraps 1 data keys", problems[0], StringComparison.Ordinal);
        Assert.StartsWith($"Keyward:Vault:Keys:3 holds another key ({wrong.KeyId(3)}) than epoch 3 was created with ({store.Keys.KeyId(3)})", problems[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task PutAsync_RacingAdvanceRekeyAndRetire_NeverLeavesADataKeyUnderARetiredEpoch(StorageProvider provider)
    {
        // An invariant under concurrency (it cannot force the interleaving): puts on other nodes while one node
        // advances, rekeys and retires. Every put is readable and no data key is left under a retired epoch.
        var store = await StoreAsync(provider);
        var puts = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            new VaultService(store.Reopen(), store.Keys, store.Keks.Options(), store.Time).PutAsync(VaultStore.Address($"race/{i}"), Encoding.UTF8.GetBytes($"{i}")))).ToList();
        Assert.True((await store.Epochs().AdvanceAsync(2)).Succeeded);
        Assert.True((await store.Rekey().RunAsync()).Succeeded);
        // A put holds the current epoch's row until it commits, so once the advance is through, every put is either
        // under epoch 2 or committed under epoch 1 before the rekey looked: retiring succeeds at the first try.
        var retired = await store.Epochs().RetireAsync(1);
        await Task.WhenAll(puts);

        Assert.True(retired.Succeeded, $"retire refused: {retired.Failure}");
        Assert.All(puts, p => Assert.True(p.Result.Succeeded));
        Assert.DoesNotContain(await store.RowsAsync(), r => r.Epoch == 1);
        for (var i = 0; i < 12; i++)
        {
            using var secret = (await store.Service().GetAsync(VaultStore.Address($"race/{i}"))).Value!;
            Assert.Equal($"{i}", Encoding.UTF8.GetString(secret.Value));
        }
    }
}
