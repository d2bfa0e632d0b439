using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Core.Tickets;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// Group commit of single-use consumes on SQLite (<see cref="SqliteGroupCommit"/>), on a real file with real
/// concurrency: exactly one winner per ticket however many callers share a batch; distinct tickets all consumed once;
/// a failed commit tells no caller it won and leaves every row unspent; a failing write fails only its caller and its
/// row is untouched; a cancelled waiter does not take another's result. To put several writes in one batch on purpose,
/// a test holds the write gate with a transaction of its own, queues them, and lets go: the writer, waiting at the gate,
/// takes every queued write into its transaction.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("keyward-group-commit-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly BusyCounter _busy = new();
    private KeywardDatabase _database = null!;
    private WebSocketTicketService _tickets = null!;
    private SessionInfo _session = null!;

    public async Task InitializeAsync()
    {
        _database = new(new StorageOptions { Provider = StorageProvider.Sqlite, BusyTimeout = TimeSpan.FromMinutes(1) }, _folder.Path, [_busy]);
        await _database.MigrateAsync(_time);
        var alice = await TestAccounts.AddUserAsync(_database);

        (_, _session, _) = await new SessionService(_database, _time, new SessionOptions()).CreateAsync(alice, Guid.NewGuid(), userVerified: true, "192.0.2.1");
        _tickets = new WebSocketTicketService(_database, _time);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        _busy.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Sqlite_HasGroupCommit()
    {
        Assert.NotNull(_database.Dialect.GroupCommit);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200)]
    public async Task RedeemAsync_ManyWayContentionOnOneTicket_ExactlyOneWins(int callers)
    {
        var (token, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var before = _busy.Count;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var redemptions = Enumerable.Range(0, callers).Select(_ => Task.Run(async () => { await start.Task; return await _tickets.RedeemAsync(token); })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(redemptions);

        Assert.Single(results, r => r.Succeeded);
        Assert.Equal(callers - 1, results.Count(r => r.Failure == TicketFailure.Consumed));
        Assert.Equal(0, await UsesLeftAsync(token));
        Assert.Equal(0, _busy.Count - before);
    }

    [Fact]
    public async Task RedeemAsync_ManyWayContentionInOneBatch_ExactlyOneWins()
    {
        var (token, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));

        var results = await Task.WhenAll(await InOneBatchAsync(() => Enumerable.Range(0, 100).Select(_ => _tickets.RedeemAsync(token)).ToList()));

        Assert.Single(results, r => r.Succeeded);
        Assert.Equal(99, results.Count(r => r.Failure == TicketFailure.Consumed));
        Assert.Equal(0, await UsesLeftAsync(token));
    }

    [Fact]
    public async Task RedeemAsync_300DistinctTicketsConcurrently_EachSucceedsOnceAndOnlyOnce()
    {
        var issued = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1))));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var redemptions = issued.Select(t => Task.Run(async () => { await start.Task; return await _tickets.RedeemAsync(t.Token); })).ToList();
        start.SetResult();
        var first = await Task.WhenAll(redemptions);
        var again = await Task.WhenAll(issued.Select(t => _tickets.RedeemAsync(t.Token)));

        Assert.All(first, r => Assert.True(r.Succeeded));
        Assert.Equal(300, first.Select(r => r.Ticket!.Id).Distinct().Count());
        Assert.All(again, r => Assert.Equal(TicketFailure.Consumed, r.Failure));
        await using var db = _database.CreateContext();
        Assert.Equal(0, await db.WebSocketTickets.CountAsync(t => t.UsesLeft != 0));
    }

    // The mint's INSERT goes through the group commit with plain parameters: the row must be the one EF Core writes
    // and reads (GUIDs as upper-case TEXT, as EF Core's SQLite mapping stores them), or lookups by id would miss it.
    [Fact]
    public async Task IssueAsync_ConcurrentMintsThroughTheGroupCommit_AreRowsEfCoreFindsByTheirIds()
    {
        var issued = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => _tickets.IssueAsync(_session, "counter", "https://app.example", TimeSpan.FromMinutes(1)))));

        await using var db = _database.CreateContext();
        var rows = await db.WebSocketTickets.Where(t => t.SessionId == _session.Id && t.AccountId == _session.AccountId && t.TenantId == Tenants.Default).ToListAsync();
        Assert.Equal(50, rows.Count);
        Assert.All(rows, r => Assert.Equal(("counter", "https://app.example", 1), (r.RouteId, r.Origin, r.UsesLeft)));
        var id = (await _tickets.RedeemAsync(issued[7].Token)).Ticket!.Id;
        Assert.Equal(0, (await db.WebSocketTickets.AsNoTracking().SingleAsync(t => t.Id == id)).UsesLeft);
    }

    // A deferred foreign key that a trigger breaks when one ticket is consumed: that batch's COMMIT itself fails
    // (SQLITE_CONSTRAINT_FOREIGNKEY), after every statement in it succeeded.
    [Fact]
    public async Task RedeemAsync_CommitFails_NoCallerOfTheBatchWinsNothingIsSpentAndARetrySucceeds()
    {
        await ExecuteAsync(
            "CREATE TABLE poison_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE poison_child (parent INTEGER REFERENCES poison_parent(id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER poison_commit AFTER UPDATE ON websocket_tickets WHEN NEW.\"RouteId\" = 'poison-commit' BEGIN INSERT INTO poison_child VALUES (42); END");
        var good = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1))));
        var (poison, _) = await _tickets.IssueAsync(_session, "poison-commit", null, TimeSpan.FromMinutes(1));
        string[] all = [good[0].Token, good[1].Token, poison, good[2].Token, good[3].Token, good[4].Token];

        var results = await InOneBatchAsync(() => all.Select(t => _tickets.RedeemAsync(t)).ToList());

        Assert.All(results, r =>
        {
            Assert.Equal(TaskStatus.Faulted, r.Status);
            Assert.Equal(19, Assert.IsType<SqliteException>(r.Exception!.InnerException).SqliteErrorCode);
        });
        foreach (var token in all)
        {
            Assert.Equal(1, await UsesLeftAsync(token));
        }

        await ExecuteAsync("DROP TRIGGER poison_commit");
        var retried = await Task.WhenAll(all.Select(t => _tickets.RedeemAsync(t)));
        Assert.All(retried, r => Assert.True(r.Succeeded));
    }

    [Fact]
    public async Task RedeemAsync_OneStatementFailsInTheBatch_OnlyItsCallerFailsAndItsTicketIsUnspent()
    {
        await ExecuteAsync("CREATE TRIGGER poison_statement BEFORE UPDATE ON websocket_tickets WHEN NEW.\"RouteId\" = 'poison-statement' BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
        var (first, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var (poison, _) = await _tickets.IssueAsync(_session, "poison-statement", null, TimeSpan.FromMinutes(1));
        var (last, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));

        var results = await InOneBatchAsync<TicketRedemption>(() => [_tickets.RedeemAsync(first), _tickets.RedeemAsync(poison), _tickets.RedeemAsync(last)]);

        Assert.True((await results[0]).Succeeded);
        await Assert.ThrowsAsync<SqliteException>(() => results[1]);
        Assert.True((await results[2]).Succeeded);
        Assert.Equal((0, 1, 0), (await UsesLeftAsync(first), await UsesLeftAsync(poison), await UsesLeftAsync(last)));
    }

    // The UPDATE has run when the code reading its row throws: only the write's savepoint undoes it.
    [Fact]
    public async Task SingleUse_ReadingTheWonRowThrows_OnlyThatCallerFailsAndItsRowIsRolledBack()
    {
        var consume = SingleUse.For("websocket_tickets", nameof(WebSocketTicketEntity.TokenHash), "\"RouteId\"");
        var (first, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var (broken, _) = await _tickets.IssueAsync(_session, "unreadable", null, TimeSpan.FromMinutes(1));
        var (last, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        static string Read(System.Data.Common.DbDataReader row) =>
            row.GetString(0) == "unreadable" ? throw new InvalidOperationException("unreadable row") : row.GetString(0);

        var results = await InOneBatchAsync(() => new[] { first, broken, last }.Select(t => consume.RunAsync(_database, Hash(t), now, Read, CancellationToken.None)).ToList());

        var (firstWon, firstRoute, _) = await results[0];
        await Assert.ThrowsAsync<InvalidOperationException>(() => results[1]);
        var (lastWon, lastRoute, _) = await results[2];
        Assert.Equal((true, "counter", true, "counter"), (firstWon, firstRoute, lastWon, lastRoute));
        Assert.Equal((0, 1, 0), (await UsesLeftAsync(first), await UsesLeftAsync(broken), await UsesLeftAsync(last)));
    }

    [Fact]
    public async Task RedeemAsync_OneWaiterCancelled_AnothersResultIsKeptAndTheCancelledTicketIsUnspent()
    {
        var (cancelled, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var (kept, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        using var cancel = new CancellationTokenSource();

        var results = await InOneBatchAsync<TicketRedemption>(async () =>
        {
            List<Task<TicketRedemption>> queued = [_tickets.RedeemAsync(cancelled, cancel.Token), _tickets.RedeemAsync(kept)];
            await cancel.CancelAsync();
            return queued;
        });

        Assert.Equal(TaskStatus.Canceled, results[0].Status);
        Assert.True((await results[1]).Succeeded);
        Assert.Equal(1, await UsesLeftAsync(cancelled));
        Assert.True((await _tickets.RedeemAsync(cancelled)).Succeeded);
    }

    [Fact]
    public async Task RedeemAsync_GateHeldPastBusyTimeout_FailsAsStorageBusyAndNothingIsSpent()
    {
        var (token, _) = await _tickets.IssueAsync(_session, "counter", null, TimeSpan.FromMinutes(1));
        var impatient = new WebSocketTicketService(new KeywardDatabase(new StorageOptions { BusyTimeout = TimeSpan.FromSeconds(1) }, _folder.Path), _time);
        await using var holder = _database.CreateContext();
        await using var transaction = await holder.Database.BeginTransactionAsync();

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => impatient.RedeemAsync(token));

        Assert.True(StorageBusy.Is(failure), failure.GetType().Name);
        await transaction.RollbackAsync();
        Assert.Equal(1, await UsesLeftAsync(token));
    }

    // The writer keeps its connection between batches; a failed commit drops it, and the next batch opens a fresh one.
    [Fact]
    public async Task GroupCommit_BatchAfterAFailedCommit_RunsOnAFreshConnection()
    {
        await ExecuteAsync(
            "CREATE TABLE poison_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE poison_child (parent INTEGER REFERENCES poison_parent(id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TABLE kept_rows (id INTEGER PRIMARY KEY)");
        var group = OwnGroupCommit();
        await group.RunAsync(b => b.Command("INSERT INTO kept_rows VALUES (1)").ExecuteNonQueryAsync(), CancellationToken.None);
        await UntilIdleAsync(group);
        Assert.True(group.HasConnection);

        var failure = await Assert.ThrowsAsync<SqliteException>(() => group.RunAsync(b => b.Command("INSERT INTO poison_child VALUES (42)").ExecuteNonQueryAsync(), CancellationToken.None));

        Assert.Equal(19, failure.SqliteErrorCode);
        Assert.False(group.HasConnection);
        Assert.Equal(1, await group.RunAsync(b => b.Command("INSERT INTO kept_rows VALUES (2)").ExecuteNonQueryAsync(), CancellationToken.None));
        await UntilIdleAsync(group);
        Assert.True(group.HasConnection);
        Assert.Equal(0, await CountAsync("poison_child"));
        Assert.Equal(2, await CountAsync("kept_rows"));
    }

    [Fact]
    public async Task GroupCommit_IdleForIdleConnection_ClosesItsConnectionAndTheNextBatchOpensOne()
    {
        await ExecuteAsync("CREATE TABLE kept_rows (id INTEGER PRIMARY KEY)");
        var group = OwnGroupCommit();
        await group.RunAsync(b => b.Command("INSERT INTO kept_rows VALUES (1)").ExecuteNonQueryAsync(), CancellationToken.None);
        await UntilIdleAsync(group);

        _time.Advance(SqliteGroupCommit.IdleConnection - TimeSpan.FromMilliseconds(1));
        Assert.True(group.HasConnection);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(group.HasConnection);

        await group.RunAsync(b => b.Command("INSERT INTO kept_rows VALUES (2)").ExecuteNonQueryAsync(), CancellationToken.None);
        await UntilIdleAsync(group);
        Assert.True(group.HasConnection);
        Assert.Equal(2, await CountAsync("kept_rows"));
    }

    private SqliteGroupCommit OwnGroupCommit() =>
        new(_database.CreateContext, ((SqliteDialect)_database.Dialect).Gate, TimeSpan.FromMinutes(1), _time);

    // Waits (no time bound asserted) until the writer has ended its drain and armed its idle timer.
    private static async Task UntilIdleAsync(SqliteGroupCommit group)
    {
        while (group.IsDraining)
        {
            await Task.Delay(1);
        }
    }

    private async Task<long> CountAsync(string table)
    {
        await using var db = _database.CreateContext();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
#pragma warning disable CA2100 // A fixed table name from the test itself.
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
#pragma warning restore CA2100
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Holds the write gate while <paramref name="queue"/> starts its writes (each queues synchronously), then lets
    /// go, so the group commit's writer takes them all into one transaction; returns the writes' tasks once all ended.
    /// </summary>
    private async Task<List<Task<T>>> InOneBatchAsync<T>(Func<Task<List<Task<T>>>> queue)
    {
        await using var holder = _database.CreateContext();
        var transaction = await holder.Database.BeginTransactionAsync();
        List<Task<T>> writes;
        try
        {
            writes = await queue();
            Assert.All(writes, w => Assert.False(w.IsCompletedSuccessfully));
        }
        finally
        {
            await transaction.CommitAsync();
            await transaction.DisposeAsync();
        }

        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception)
        {
            // Each test reads the outcome of each write.
        }

        return writes;
    }

    private Task<List<Task<T>>> InOneBatchAsync<T>(Func<List<Task<T>>> queue) => InOneBatchAsync(() => Task.FromResult(queue()));

    private async Task<int> UsesLeftAsync(string token)
    {
        var hash = Hash(token);
        await using var db = _database.CreateContext();
        return (await db.WebSocketTickets.SingleAsync(t => t.TokenHash == hash)).UsesLeft;
    }

    private static byte[] Hash(string token) => SecretToken.Hash(CredentialKind.WebSocketTicket, token);

    private async Task ExecuteAsync(params string[] statements)
    {
        await using var db = _database.CreateContext();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }
    }
}
