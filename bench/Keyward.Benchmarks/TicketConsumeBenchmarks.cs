using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Core.Tickets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Keyward.Benchmarks;

/// <summary>
/// The atomic consume of a single-use WebSocket ticket on SQLite (issue 15: target ≥ 10,000/s), as
/// <see cref="WebSocketTicketService.RedeemAsync"/> does it: one conditional <c>UPDATE … WHERE … "UsesLeft" &gt; 0 …
/// RETURNING</c> what the ticket is bound to. Each iteration redeems 200 fresh tickets; consumes/s = 1 s / mean.
/// Sequential: one caller at a time. Concurrent: 200 callers at once, one distinct ticket each. Contention: 100 callers
/// at once on one ticket (exactly one must win; an operation is one attempt). Each runs twice: with Keyward's group
/// commit (<see cref="SqliteGroupCommit"/>: concurrent consumes share a transaction and a commit) and, as the baseline,
/// "Alone": every consume its own autocommit, as before group commit. OneTransaction: the same 200 statements in one
/// hand-made transaction, the ceiling of a group commit. The store is a file in the temporary directory (WAL,
/// synchronous=FULL), as in the audit benchmarks.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class TicketConsumeBenchmarks
{
    private const int Many = 200;
    private const int Contenders = 100;
    private KeywardDatabase _database = null!;
    private string _folder = null!;
    private WebSocketTicketService _tickets = null!;
    private WebSocketTicketService _alone = null!;
    private Guid _sessionId;
    private Guid _accountId;
    private string[] _tokens = [];

    [GlobalSetup]
    public void Setup()
    {
        (_database, _folder) = AuditStores.Fresh();
        _tickets = new WebSocketTicketService(_database, TimeProvider.System);
        _alone = new WebSocketTicketService(KeywardDatabase.WithoutGroupCommit(new StorageOptions(), _folder), TimeProvider.System);
        _accountId = Guid.NewGuid();
        _sessionId = Guid.NewGuid();
        using var db = _database.CreateContext();
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        db.Accounts.Add(new AccountEntity { Id = _accountId, TenantId = Tenants.Default, Name = "bench", Role = "user", UserHandle = RandomNumberGenerator.GetBytes(16) });
        db.Sessions.Add(new SessionEntity
        {
            Id = _sessionId,
            TenantId = Tenants.Default,
            TokenHash = RandomNumberGenerator.GetBytes(32),
            AccountId = _accountId,
            AuthenticatorId = Guid.NewGuid(),
            CreatedAt = now,
            ExpiresAt = now + 3_600_000,
            LastSeenAt = now,
        });
        db.SaveChanges();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>200 unspent tickets, inserted in one transaction outside the measurement.</summary>
    [IterationSetup]
    public void IssueTickets()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        _tokens = [.. Enumerable.Range(0, Many).Select(_ => SecretToken.Generate(CredentialKind.WebSocketTicket))];
        using var db = _database.CreateContext();
        db.WebSocketTickets.AddRange(_tokens.Select(token => new WebSocketTicketEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            TokenHash = SecretToken.Hash(CredentialKind.WebSocketTicket, token),
            AccountId = _accountId,
            SessionId = _sessionId,
            RouteId = "bench",
            UsesLeft = 1,
            ExpiresAt = now + 3_600_000,
            CreatedAt = now,
        }));
        db.SaveChanges();
    }

    /// <summary>One caller redeeming 200 tickets one after another, each its own commit (before group commit).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Many)]
    public Task SequentialAlone() => SequentialAsync(_alone);

    /// <summary>One caller redeeming 200 tickets one after another, through the group commit (a batch of one each).</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public Task Sequential() => SequentialAsync(_tickets);

    /// <summary>200 callers redeeming one distinct ticket each, all at once, each its own commit (before group commit).</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public Task ConcurrentAlone() => ConcurrentAsync(_alone);

    /// <summary>200 callers redeeming one distinct ticket each, all at once, sharing commits.</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public Task Concurrent() => ConcurrentAsync(_tickets);

    /// <summary>100 callers on one ticket, all at once, each its own commit (before group commit).</summary>
    [Benchmark(OperationsPerInvoke = Contenders)]
    public Task ContentionAlone() => ContentionAsync(_alone);

    /// <summary>100 callers on one ticket, all at once, sharing commits.</summary>
    [Benchmark(OperationsPerInvoke = Contenders)]
    public Task Contention() => ContentionAsync(_tickets);

    /// <summary>The 200 consumes as statements of one transaction: what a group commit could at best reach.</summary>
    [Benchmark(OperationsPerInvoke = Many)]
    public async Task OneTransaction()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = _database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync().ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = "UPDATE websocket_tickets SET \"UsesLeft\" = \"UsesLeft\" - 1 WHERE \"TokenHash\" = @h AND \"UsesLeft\" > 0 AND \"ExpiresAt\" > @now RETURNING \"Id\", \"AccountId\", \"SessionId\", \"RouteId\", \"Origin\", \"ExpiresAt\"";
        var hash = command.CreateParameter();
        hash.ParameterName = "@h";
        command.Parameters.Add(hash);
        var at = command.CreateParameter();
        at.ParameterName = "@now";
        at.Value = now;
        command.Parameters.Add(at);
        foreach (var token in _tokens)
        {
            hash.Value = SecretToken.Hash(CredentialKind.WebSocketTicket, token);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                throw new InvalidOperationException("A fresh ticket was refused.");
            }

            _ = (reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5));
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private async Task SequentialAsync(WebSocketTicketService tickets)
    {
        foreach (var token in _tokens)
        {
            if (!(await tickets.RedeemAsync(token).ConfigureAwait(false)).Succeeded)
            {
                throw new InvalidOperationException("A fresh ticket was refused.");
            }
        }
    }

    private async Task ConcurrentAsync(WebSocketTicketService tickets)
    {
        var redemptions = await Task.WhenAll(_tokens.Select(token => Task.Run(() => tickets.RedeemAsync(token)))).ConfigureAwait(false);
        if (redemptions.Any(r => !r.Succeeded))
        {
            throw new InvalidOperationException("A fresh ticket was refused.");
        }
    }

    private async Task ContentionAsync(WebSocketTicketService tickets)
    {
        var token = _tokens[0];
        var redemptions = await Task.WhenAll(Enumerable.Range(0, Contenders).Select(_ => Task.Run(() => tickets.RedeemAsync(token)))).ConfigureAwait(false);
        if (redemptions.Count(r => r.Succeeded) != 1 || redemptions.Count(r => r.Failure == TicketFailure.Consumed) != Contenders - 1)
        {
            throw new InvalidOperationException("Not exactly one of the contenders won.");
        }
    }
}
