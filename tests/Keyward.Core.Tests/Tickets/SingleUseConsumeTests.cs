using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Core.Support;
using Keyward.Core.Tickets;
using Keyward.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Keyward.Core.Tests.Tickets;

/// <summary>
/// The single-use consume as one <c>UPDATE … RETURNING</c> statement (<see cref="SingleUse"/>), on SQLite and on
/// PostgreSQL: exactly one of 100 concurrent callers wins and is handed what the credential is bound to, every other
/// caller is told it was consumed, and an expired or unknown credential is told so without being spent.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes through IAsyncLifetime.DisposeAsync.")]
public sealed class SingleUseConsumeTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("keyward-single-use-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        // 100 concurrent callers fill a pool of up to 100 PostgreSQL connections per database; the shared cluster
        // allows 200 in all, so the next test's database must not find this one's still open.
        NpgsqlConnection.ClearAllPools();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RedeemAsync_100WayContention_ExactlyOneWinsAndGetsWhatTheTicketIsBoundTo(StorageProvider provider)
    {
        var (database, session) = await OpenAsync(provider);
        var tickets = new WebSocketTicketService(database, _time);
        var (token, expiresAt) = await tickets.IssueAsync(session, "counter", "https://app.example", TimeSpan.FromMinutes(1));

        using var start = new ManualResetEventSlim();
        var redemptions = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await tickets.RedeemAsync(token);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(redemptions);

        var won = Assert.Single(results, r => r.Succeeded).Ticket!;
        Assert.Equal((session.AccountId, session.Id, "counter", "https://app.example", expiresAt), (won.AccountId, won.SessionId, won.RouteId, won.Origin, won.ExpiresAt));
        Assert.Equal(99, results.Count(r => r.Failure == TicketFailure.Consumed));
        await using var db = database.CreateContext();
        var row = await db.WebSocketTickets.SingleAsync();
        Assert.Equal((row.Id, 0), (won.Id, row.UsesLeft));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task RedeemAsync_ExpiredOrUnknown_IsRefusedSoAndNothingIsSpent(StorageProvider provider)
    {
        var (database, session) = await OpenAsync(provider);
        var tickets = new WebSocketTicketService(database, _time);
        var (token, _) = await tickets.IssueAsync(session, "counter", null, TimeSpan.FromMinutes(1));
        var (unknown, _) = await new WebSocketTicketService(await OpenOtherAsync(provider), _time).IssueAsync(session, "counter", null, TimeSpan.FromMinutes(1));

        Assert.Equal(TicketFailure.Invalid, (await tickets.RedeemAsync(unknown)).Failure);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TicketFailure.Expired, (await tickets.RedeemAsync(token)).Failure);

        await using var db = database.CreateContext();
        Assert.Equal(1, (await db.WebSocketTickets.SingleAsync()).UsesLeft);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task SupportCode_100WayContention_ExactlyOneWinsWithItsSession(StorageProvider provider)
    {
        var (database, session) = await OpenAsync(provider);
        var codes = new SupportCodeService(database, _time);
        var supportSession = Guid.NewGuid();
        var (code, _) = await codes.IssueAsync(supportSession, session.AccountId, TimeSpan.FromMinutes(10));

        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await codes.ConsumeAsync(code);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(callers);

        var won = Assert.Single(results, r => r.Succeeded);
        Assert.Equal((supportSession, session.AccountId), (won.SupportSessionId, won.AccountId));
        Assert.Equal(99, results.Count(r => r.Failure == SupportCodeFailure.Consumed));
    }

    private async Task<(KeywardDatabase Database, SessionInfo Session)> OpenAsync(StorageProvider provider)
    {
        var database = await OpenOtherAsync(provider);
        var alice = await Storage.TestAccounts.AddUserAsync(database);

        var (_, session, _) = await new SessionService(database, _time, new SessionOptions()).CreateAsync(alice, Guid.NewGuid(), userVerified: true, "192.0.2.1");
        return (database, session);
    }

    // A database of its own each call (PostgreSQL: a new database; SQLite: a new file).
    private async Task<KeywardDatabase> OpenOtherAsync(StorageProvider provider)
    {
        var database = provider == StorageProvider.Postgres
            ? new KeywardDatabase(new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() }, _folder.Path)
            : new KeywardDatabase(new StorageOptions(), Directory.CreateDirectory(Path.Combine(_folder.Path, Guid.NewGuid().ToString("N"))).FullName);
        await database.MigrateAsync(_time);
        return database;
    }
}
