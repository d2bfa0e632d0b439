using System.Data;
using System.Data.Common;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// <see cref="KeptConnection{TCommands}"/>, the one kept-connection mechanism of the audit writer and the SQLite group
/// commit, on a real SQLite file: kept between batches with the commands made for it; dropped after a failed batch (the
/// next opens fresh); closed after the idle time on a fake clock, never while taken; not kept where the dialect says so;
/// one batch at a time; disposal closes it and keeps nothing afterwards.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class KeptConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private readonly TempDirectory _folder = new("keyward-kept-connection-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly List<Commands> _made = [];
    private KeywardDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new(new StorageOptions { Provider = StorageProvider.Sqlite }, _folder.Path);
        await _database.MigrateAsync(_time);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TakeAsync_AfterASuccessfulBatch_ReturnsTheSameOpenConnectionAndCommands()
    {
        using var kept = Kept(keep: true);

        var first = await kept.TakeAsync(CancellationToken.None);
        await first.RunAsync();
        kept.Return(failed: false);
        var second = await kept.TakeAsync(CancellationToken.None);
        await second.RunAsync();
        kept.Return(failed: false);

        Assert.Same(first, second);
        Assert.Single(_made);
        Assert.Equal(ConnectionState.Open, first.Connection.State);
        Assert.True(kept.IsOpen);
    }

    [Fact]
    public async Task Return_Failed_ClosesTheConnectionAndTheNextTakeOpensAFreshOne()
    {
        using var kept = Kept(keep: true);
        var failedBatch = await kept.TakeAsync(CancellationToken.None);

        kept.Return(failed: true);

        Assert.False(kept.IsOpen);
        Assert.True(failedBatch.Disposed);
        Assert.Equal(ConnectionState.Closed, failedBatch.Connection.State);
        var next = await kept.TakeAsync(CancellationToken.None);
        Assert.NotSame(failedBatch, next);
        Assert.Equal(2, _made.Count);
        Assert.Equal(1L, await next.RunAsync());
        kept.Return(failed: false);
    }

    [Fact]
    public async Task IdleTimer_IdleTimeAfterTheLastBatch_ClosesTheConnectionAndTheNextTakeOpensOne()
    {
        using var kept = Kept(keep: true);
        var batch = await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);

        _time.Advance(KeptConnection.Idle - Tick);
        Assert.True(kept.IsOpen);
        _time.Advance(Tick);

        Assert.False(kept.IsOpen);
        Assert.True(batch.Disposed);
        Assert.Equal(ConnectionState.Closed, batch.Connection.State);
        var next = await kept.TakeAsync(CancellationToken.None);
        Assert.Equal(1L, await next.RunAsync());
        kept.Return(failed: false);
        Assert.Equal(2, _made.Count);
    }

    [Fact]
    public async Task IdleTimer_WhileTaken_DoesNotCloseAndCountsFromTheReturn()
    {
        using var kept = Kept(keep: true);
        await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);

        var batch = await kept.TakeAsync(CancellationToken.None);
        _time.Advance(KeptConnection.Idle * 3);
        Assert.True(kept.IsOpen);
        Assert.Equal(ConnectionState.Open, batch.Connection.State);
        kept.Return(failed: false);

        _time.Advance(KeptConnection.Idle - Tick);
        Assert.True(kept.IsOpen);
        _time.Advance(Tick);
        Assert.False(kept.IsOpen);
    }

    [Fact]
    public async Task IdleTimer_BatchGivenBackMidway_WaitsTheWholeIdleTimeFromThatBatch()
    {
        using var kept = Kept(keep: true);
        await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);
        _time.Advance(KeptConnection.Idle / 2);
        await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);

        _time.Advance(KeptConnection.Idle - Tick);
        Assert.True(kept.IsOpen);
        _time.Advance(Tick);
        Assert.False(kept.IsOpen);
        Assert.Single(_made);
    }

    // PostgreSQL's dialect says so (StorageDialect.KeepsWriterConnection): a connection kept through an outage would
    // fail the first batch after it.
    [Fact]
    public async Task Return_OnADialectThatKeepsNoWriterConnection_ClosesAfterEveryBatch()
    {
        using var kept = Kept(keep: false);

        var first = await kept.TakeAsync(CancellationToken.None);
        Assert.Equal(1L, await first.RunAsync());
        kept.Return(failed: false);
        Assert.False(kept.IsOpen);
        Assert.Equal(ConnectionState.Closed, first.Connection.State);
        var second = await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);

        Assert.NotSame(first, second);
        Assert.Equal(2, _made.Count);
        Assert.False(kept.IsOpen);
    }

    [Fact]
    public void Dialects_KeepTheWritersConnectionOnSqliteOnly()
    {
        Assert.True(_database.Dialect.KeepsWriterConnection);
        Assert.False(new KeywardDatabase(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = "Host=localhost" }, _folder.Path).Dialect.KeepsWriterConnection);
    }

    [Fact]
    public async Task TakeAsync_WhileTaken_ThrowsAndLeavesTheBatchItsConnection()
    {
        using var kept = Kept(keep: true);
        var batch = await kept.TakeAsync(CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => kept.TakeAsync(CancellationToken.None).AsTask());

        Assert.Equal(1L, await batch.RunAsync());
        kept.Return(failed: false);
        Assert.Same(batch, await kept.TakeAsync(CancellationToken.None));
        kept.Return(failed: false);
    }

    [Fact]
    public async Task TakeAsync_OpenFails_TakesNothingAndTheNextTakeOpens()
    {
        var fail = true;
        using var kept = new KeptConnection<Commands>(
            () => fail ? throw new InvalidOperationException("no context") : _database.CreateContext(), Make, keep: true, _time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => kept.TakeAsync(CancellationToken.None).AsTask());
        fail = false;

        Assert.Equal(1L, await (await kept.TakeAsync(CancellationToken.None)).RunAsync());
        kept.Return(failed: false);
    }

    [Fact]
    public async Task Dispose_WhileTaken_ClosesAsTheBatchReturnsAndKeepsNothingAfter()
    {
        var kept = Kept(keep: true);
        var batch = await kept.TakeAsync(CancellationToken.None);

        kept.Dispose();
        Assert.Equal(ConnectionState.Open, batch.Connection.State);
        kept.Return(failed: false);

        Assert.True(batch.Disposed);
        Assert.False(kept.IsOpen);
        var late = await kept.TakeAsync(CancellationToken.None);
        Assert.Equal(1L, await late.RunAsync());
        kept.Return(failed: false);
        Assert.False(kept.IsOpen);
    }

    [Fact]
    public async Task Dispose_Idle_ClosesTheConnection()
    {
        var kept = Kept(keep: true);
        var batch = await kept.TakeAsync(CancellationToken.None);
        kept.Return(failed: false);

        kept.Dispose();

        Assert.False(kept.IsOpen);
        Assert.True(batch.Disposed);
        Assert.Equal(ConnectionState.Closed, batch.Connection.State);
    }

    private KeptConnection<Commands> Kept(bool keep) => new(_database.CreateContext, Make, keep, _time);

    private Commands Make(DbConnection connection)
    {
        var commands = new Commands(connection);
        _made.Add(commands);
        return commands;
    }

    /// <summary>A kept statement, as a writer's would be: made once per connection, disposed with it.</summary>
    private sealed class Commands(DbConnection connection) : IDisposable
    {
        private readonly DbCommand _select = DbCommands.Create(connection, null, "SELECT 1");

        public DbConnection Connection => connection;

        public bool Disposed { get; private set; }

        public async Task<long> RunAsync() => (long)(await _select.ExecuteScalarAsync())!;

        public void Dispose()
        {
            _select.Dispose();
            Disposed = true;
        }
    }
}
