using System.Text;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Testing;

namespace Keyward.Core.Tests.Vault;

/// <summary><see cref="VaultRekey"/>: batches, progress, interruption and resumption, on SQLite and PostgreSQL.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class VaultRekeyTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int Secrets = 7;
    private VaultStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>Seven secrets written under epoch 1, then epoch 2 made current.</summary>
    private async Task<VaultStore> StoreWithOldSecretsAsync(StorageProvider provider = StorageProvider.Sqlite)
    {
        _store = await VaultStore.CreateAsync(provider, postgres);
        for (var i = 0; i < Secrets; i++)
        {
            Assert.True((await _store.Service().PutAsync(VaultStore.Address($"s/{i}"), Encoding.UTF8.GetBytes($"value {i}"))).Succeeded);
        }

        Assert.True((await _store.Epochs().AdvanceAsync(2)).Succeeded);
        return _store;
    }

    private static async Task AssertAllReadableAsync(VaultStore store)
    {
        for (var i = 0; i < Secrets; i++)
        {
            using var secret = (await store.Service().GetAsync(VaultStore.Address($"s/{i}"))).Value!;
            Assert.Equal($"value {i}", Encoding.UTF8.GetString(secret.Value));
        }
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RunAsync_MovesEveryDataKeyToTheCurrentEpoch_ReportingEachBatch(StorageProvider provider)
    {
        var store = await StoreWithOldSecretsAsync(provider);
        var before = await store.RowsAsync();
        var reports = new List<VaultRekeyProgress>();

        var result = await store.Rekey(batchSize: 3).RunAsync(progress: new SynchronousProgress(reports.Add));

        Assert.Equal((7L, 0L, 0L, 7L, true), (result.Value!.Rewrapped, result.Value.Skipped, result.Value.Failed, result.Value.Total, result.Value.Done));
        Assert.Equal([3L, 6L, 7L], reports.Select(r => r.Rewrapped));
        var after = await store.RowsAsync();
        Assert.All(after, r => Assert.Equal(2, r.Epoch));
        // Only the wrap changed: the value's nonce and ciphertext are the same bytes.
        Assert.Equal(before.Select(r => Convert.ToHexString(r.Ciphertext) + Convert.ToHexString(r.ValueNonce)), after.Select(r => Convert.ToHexString(r.Ciphertext) + Convert.ToHexString(r.ValueNonce)));
        Assert.All(before.Zip(after), p => Assert.NotEqual(p.First.WrappedKey, p.Second.WrappedKey));
        await AssertAllReadableAsync(store);
    }

    [Fact]
    public async Task RunAsync_StoppedAfterABatch_ResumesFromScratchAndMovesEachKeyOnce()
    {
        var store = await StoreWithOldSecretsAsync();
        using var stop = new CancellationTokenSource();

        // The first run is stopped after its first batch (as an operator's Ctrl-C would).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.Rekey(batchSize: 3).RunAsync(progress: new SynchronousProgress(_ => stop.Cancel()), cancellationToken: stop.Token));
        Assert.Equal(3, (await store.RowsAsync()).Count(r => r.Epoch == 2));
        await AssertAllReadableAsync(store);

        var resumed = await store.Rekey(batchSize: 3).RunAsync();

        Assert.Equal((4L, 4L), (resumed.Value!.Rewrapped, resumed.Value.Total));
        Assert.All(await store.RowsAsync(), r => Assert.Equal(2, r.Epoch));
        await AssertAllReadableAsync(store);
        Assert.True((await store.Epochs().RetireAsync(1)).Succeeded);
    }

    [Fact]
    public async Task BatchAsync_TwoRunsOverTheSameRows_MoveEachKeyOnce()
    {
        var store = await StoreWithOldSecretsAsync();

        var first = await store.Rekey(batchSize: 100).BatchAsync(0);
        var rows = await store.RowsAsync();
        var second = await store.Rekey(batchSize: 100).BatchAsync(0);

        Assert.Equal(7, first.Value!.Rewrapped);
        Assert.Equal(0, second.Value!.Rewrapped);
        Assert.Equal(rows.Select(r => Convert.ToHexString(r.WrappedKey)), (await store.RowsAsync()).Select(r => Convert.ToHexString(r.WrappedKey)));
    }

    [Fact]
    public async Task RunAsync_TamperedRow_IsCountedAndSkippedAndKeepsItsEpochInUse()
    {
        var store = await StoreWithOldSecretsAsync();
        var rows = await store.RowsAsync();
        await store.UpdateRowAsync(rows[2].Id, r => r.Path = "s/moved");

        var result = await store.Rekey(batchSize: 2).RunAsync();

        Assert.Equal((6L, 1L, true), (result.Value!.Rewrapped, result.Value.Failed, result.Value.Done));
        Assert.Equal(1, (await store.RowsAsync()).Single(r => r.Id == rows[2].Id).Epoch);
        Assert.Equal(VaultFailure.EpochInUse, (await store.Epochs().RetireAsync(1)).Failure);
    }

    [Fact]
    public async Task RunAsync_NothingOld_IsDoneAtOnce()
    {
        _store = await VaultStore.CreateAsync();
        await _store.Service().PutAsync(VaultStore.Address(), "x"u8.ToArray());

        var result = await _store.Rekey().RunAsync();

        Assert.Equal((0L, 0L, true), (result.Value!.Rewrapped, result.Value.Total, result.Value.Done));
    }

    [Fact]
    public async Task RunAsync_CurrentEpochKeyReplaced_IsRefusedBeforeTouchingARow()
    {
        var store = await StoreWithOldSecretsAsync();
        var replaced = store.Track(new TestKeks(1, 2).Load());
        var before = await store.RowsAsync();

        Assert.Equal(VaultFailure.KeyMismatch, (await store.Rekey(keys: replaced).RunAsync()).Failure);

        Assert.Equal(before.Select(r => r.Epoch), (await store.RowsAsync()).Select(r => r.Epoch));
    }

    /// <summary>Reports on the caller's thread, at once (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<VaultRekeyProgress> report) : IProgress<VaultRekeyProgress>
    {
        public void Report(VaultRekeyProgress value) => report(value);
    }
}
