using System.Data.Common;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Tickets;

/// <summary>
/// Single-use WebSocket upgrade tickets (<c>kwt_</c>), bound to account, session, route and origin. Only the hash is
/// stored. Redemption is one conditional UPDATE in the database (<c>UsesLeft &gt; 0 AND ExpiresAt &gt; now</c>) that
/// returns what the ticket is bound to (<see cref="SingleUse"/>), so exactly one caller wins across threads, processes
/// and nodes, and learns it from the same statement.
/// </summary>
public sealed class WebSocketTicketService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How long a spent or expired ticket's row is kept, so a replay still reads as consumed or expired.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    // One statement: the winner learns what the ticket is bound to from the UPDATE itself.
    private static readonly SingleUse Consume = SingleUse.For(
        "websocket_tickets", nameof(WebSocketTicketEntity.TokenHash), "\"Id\", \"AccountId\", \"SessionId\", \"RouteId\", \"Origin\", \"ExpiresAt\"");

    // The mint in a group commit (SQLite); the same columns as the EF Core path below.
    private const string Insert =
        "INSERT INTO websocket_tickets (\"Id\", \"TenantId\", \"TokenHash\", \"AccountId\", \"SessionId\", \"RouteId\", \"Origin\", \"UsesLeft\", \"ExpiresAt\", \"CreatedAt\") " +
        "VALUES (@id, @tenant, @hash, @account, @session, @route, @origin, 1, @expires, @now)";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static WebSocketTicket ReadTicket(DbDataReader row) => new(
        row.GetGuid(0),
        row.GetGuid(1),
        row.GetGuid(2),
        row.GetString(3),
        row.IsDBNull(4) ? null : row.GetString(4),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)));

    /// <summary>Issues a ticket for a session and route; returns the <c>kwt_</c> token once, and its expiry.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(SessionInfo session, string routeId, string? origin, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(routeId);
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "A ticket lifetime must be positive.");
        }

        var token = SecretToken.Generate(CredentialKind.WebSocketTicket);
        var now = Now;
        var expiresAt = now + (long)lifetime.TotalMilliseconds;
        var id = Guid.NewGuid();
        var tenant = Tenants.Default;
        var hash = SecretToken.Hash(CredentialKind.WebSocketTicket, token);
        var accountId = session.AccountId;
        var sessionId = session.Id;
        if (database.Dialect.GroupCommit is { } group)
        {
            // SQLite: the INSERT shares a transaction and a commit with the writes queued beside it (issue 15: mints
            // ≥ 5,000/s); the token is handed out only after that commit.
            await group.RunAsync(
                async batch =>
                {
                    var command = batch.Command(Insert);
                    command.AddParameter("@id", id);
                    command.AddParameter("@tenant", tenant);
                    command.AddParameter("@hash", hash);
                    command.AddParameter("@account", accountId);
                    command.AddParameter("@session", sessionId);
                    command.AddParameter("@route", routeId);
                    command.AddParameter("@origin", origin);
                    command.AddParameter("@expires", expiresAt);
                    command.AddParameter("@now", now);
                    return await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return (token, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
        }

        await using var db = database.CreateContext();

        // One plain INSERT, no change tracking (issue 15, item 3: mints ≥ 5,000/s).
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO websocket_tickets ("Id", "TenantId", "TokenHash", "AccountId", "SessionId", "RouteId", "Origin", "UsesLeft", "ExpiresAt", "CreatedAt")
            VALUES ({id}, {tenant}, {hash}, {accountId}, {sessionId}, {routeId}, {origin}, 1, {expiresAt}, {now})
            """,
            cancellationToken).ConfigureAwait(false);
        return (token, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
    }

    /// <summary>
    /// Consumes a ticket: true (with what it is bound to) for exactly one caller. A malformed token is refused without
    /// a database read. The caller still checks route, origin and session: a ticket presented wrongly is spent.
    /// </summary>
    public async Task<TicketRedemption> RedeemAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.WebSocketTicket, token))
        {
            return new TicketRedemption(null, TicketFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.WebSocketTicket, token!);

        // Architecture rule 2: single use is decided by the database, never by a read followed by a write.
        var (won, ticket, usesLeft) = await Consume.RunAsync(database, hash, Now, ReadTicket, cancellationToken).ConfigureAwait(false);
        if (won)
        {
            return new TicketRedemption(ticket, null);
        }

        return new TicketRedemption(null, usesLeft is not { } left ? TicketFailure.Invalid : left <= 0 ? TicketFailure.Consumed : TicketFailure.Expired);
    }

    /// <summary>Deletes tickets past expiry by more than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = Now - (long)Retention.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.WebSocketTickets.Where(t => t.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
