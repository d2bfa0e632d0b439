using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Storage;

/// <summary>
/// The atomic consume of a single-use credential as one statement, the same text on SQLite (≥ 3.35) and PostgreSQL:
/// <c>UPDATE t SET "UsesLeft" = "UsesLeft" - 1 WHERE hash = @h AND "UsesLeft" &gt; 0 AND "ExpiresAt" &gt; @now
/// RETURNING …</c>. The database decides who wins (architecture rule 2) and hands the winner what the credential is bound
/// to in the same statement, through a plain prepared command on the context's connection (no EF Core query
/// pipeline, no second query). Only a loser asks, in a second statement, why it lost.
/// </summary>
/// <param name="Consume">The conditional UPDATE … RETURNING.</param>
/// <param name="Status">Reads <c>"UsesLeft"</c> of the row with the hash (none when there is no such row).</param>
internal sealed record SingleUse(string Consume, string Status)
{
    /// <summary>The statements for <paramref name="table"/>, keyed by <paramref name="hashColumn"/>, returning <paramref name="returning"/>.</summary>
    public static SingleUse For(string table, string hashColumn, string returning) => new(
        $"UPDATE {table} SET \"UsesLeft\" = \"UsesLeft\" - 1 WHERE \"{hashColumn}\" = @h AND \"UsesLeft\" > 0 AND \"ExpiresAt\" > @now RETURNING {returning}",
        $"SELECT \"UsesLeft\" FROM {table} WHERE \"{hashColumn}\" = @h");

    /// <summary>
    /// Consumes the credential whose hash is <paramref name="hash"/> if it is unspent and unexpired at
    /// <paramref name="now"/>. Won: <paramref name="read"/>'s value of the returned row, committed before this returns.
    /// Lost: the row's <c>"UsesLeft"</c> now, or null when no row has the hash. On SQLite the statement joins the
    /// consumes waiting at the same time in one transaction (<see cref="SqliteGroupCommit"/>); on PostgreSQL it runs
    /// alone, as its own autocommit.
    /// </summary>
    public Task<(bool Won, T? Value, int? UsesLeft)> RunAsync<T>(KeywardDatabase database, byte[] hash, long now, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        database.Dialect.GroupCommit is { } group
            ? group.RunAsync(batch => RunInBatchAsync(batch, hash, now, read), cancellationToken)
            : RunAloneAsync(database, hash, now, read, cancellationToken);

    /// <summary>
    /// The consume in a group commit's transaction: the same statements, on the batch's prepared commands. The caller
    /// hears the outcome only after the batch committed, so a winner here is a winner once it returns.
    /// </summary>
    private async Task<(bool Won, T? Value, int? UsesLeft)> RunInBatchAsync<T>(GroupBatch batch, byte[] hash, long now, Func<DbDataReader, T> read)
    {
        var command = batch.Command(Consume);
        command.AddParameter("@h", hash);
        command.AddParameter("@now", now);
        await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var value = read(reader);
                while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                }

                return (true, value, null);
            }
        }

        // Read in the same transaction: it sees what the earlier consumes of the batch did, which is what commits.
        var status = batch.Command(Status);
        status.AddParameter("@h", hash);
        return (false, default, UsesLeft(await status.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false)));
    }

    /// <summary>The consume as its own autocommit (PostgreSQL; SQLite without group commit, for the benchmark's baseline).</summary>
    private async Task<(bool Won, T? Value, int? UsesLeft)> RunAloneAsync<T>(KeywardDatabase database, byte[] hash, long now, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using (var command = DbCommands.Create(connection, null, Consume))
        {
            command.AddParameter("@h", hash);
            command.AddParameter("@now", now);
            var owner = command;
            await database.Dialect.EnterWriteAsync(connection, owner, cancellationToken).ConfigureAwait(false);
            try
            {
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var value = read(reader);

                    // Step to the end: the statement (and so its autocommit) completes here, and a failed commit throws
                    // here, before this caller is told it won.
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                    }

                    return (true, value, null);
                }
            }
            finally
            {
                database.Dialect.ExitWrite(connection, owner);
            }
        }

        await using var status = DbCommands.Create(connection, null, Status);
        status.AddParameter("@h", hash);
        var usesLeft = await status.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (false, default, UsesLeft(usesLeft));
    }

    private static int? UsesLeft(object? value) =>
        value is null or DBNull ? null : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
}
