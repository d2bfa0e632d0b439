using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Keyward.Core.Storage;

/// <summary>PostgreSQL (Npgsql), for several broker nodes on one database: advisory locks order what must not interleave.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
internal sealed class PostgresDialect : StorageDialect
{
    // An arbitrary constant of Keyward's own ("kwmigrat" in ASCII), so the lock does not collide with other tools'.
    private const long MigrationLockKey = 0x6B776D6967726174;

    private readonly PooledDbContextFactory<PostgresKeywardDbContext> _factory;

    public PostgresDialect(StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("Keyward:Storage:ConnectionString is required when Keyward:Storage:Provider is Postgres.", nameof(options));
        }

        _factory = new PooledDbContextFactory<PostgresKeywardDbContext>(
            new DbContextOptionsBuilder<PostgresKeywardDbContext>().UseNpgsql(options.ConnectionString).Options);
    }

    public override KeywardDbContext CreateContext() => _factory.CreateDbContext();

    /// <summary>
    /// Nodes that start together against one PostgreSQL database would otherwise each read the history table, find
    /// the same migrations pending and race to create the same tables. A session-level advisory lock, held on its own
    /// connection for the whole migration, lets exactly one node migrate at a time; the others then find nothing
    /// pending. The lock is released when the connection closes, so a crashed node cannot leave it held.
    /// </summary>
    public override async Task MigrateAsync(KeywardDbContext db, CancellationToken cancellationToken)
    {
        var connectionString = db.Database.GetConnectionString();
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            acquire.Parameters.AddWithValue("key", MigrationLockKey);
            acquire.CommandTimeout = 0;
            await acquire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A transaction-scoped advisory lock on the key orders such transactions from every broker node.</summary>
    public override async Task<DbTransaction> BeginSerializedWriteAsync(DbConnection connection, long lockKey, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = DbCommands.Create(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
            command.AddParameter("@key", lockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>REPEATABLE READ: every statement sees the snapshot taken at the first.</summary>
    public override async Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    /// <summary>Several rows per statement (<see cref="BulkInsert{T}.RowsPerStatement"/>): each statement is a round trip.</summary>
    public override async Task InsertAsync<T>(DbConnection connection, DbTransaction transaction, BulkInsert<T> insert, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var values = new object?[insert.Columns.Count];
        for (var offset = 0; offset < rows.Count; offset += insert.RowsPerStatement)
        {
            var count = Math.Min(insert.RowsPerStatement, rows.Count - offset);
            await using var command = DbCommands.Create(connection, transaction, "");
            var sql = new StringBuilder(insert.Head);
            for (var r = 0; r < count; r++)
            {
                insert.Values(rows[offset + r], values);
                sql.Append(r == 0 ? "(" : ",(");
                for (var c = 0; c < values.Length; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"@r{r}_{c}");
                    sql.Append(c == 0 ? "" : ",").Append(name);
                    command.AddParameter(name, values[c]);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
