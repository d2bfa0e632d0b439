using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Keyward.Core.Storage;

/// <summary>Embedded SQLite: one file in the data directory, WAL, one writer at a time.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
internal sealed class SqliteDialect : StorageDialect
{
    private readonly PooledDbContextFactory<SqliteKeywardDbContext> _factory;

    public SqliteDialect(StorageOptions options, string dataDirectory)
    {
        // Microsoft.Data.Sqlite retries a busy database until the command timeout: that is the bound on how long a
        // request waits for a lock another connection holds (then StorageBusy maps the SQLITE_BUSY to 503).
        var builder = options.ConnectionString is { } configured
            ? new SqliteConnectionStringBuilder(configured)
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "keyward.db"), Pooling = true };
        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        var connection = builder.ToString();
        _factory = new PooledDbContextFactory<SqliteKeywardDbContext>(
            new DbContextOptionsBuilder<SqliteKeywardDbContext>().UseSqlite(connection).Options);
    }

    public override KeywardDbContext CreateContext() => _factory.CreateDbContext();

    public override async Task MigrateAsync(KeywardDbContext db, CancellationToken cancellationToken)
    {
        // WAL lets readers run beside the one writer; it is a property of the file, so set it once.
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>BEGIN IMMEDIATE takes the file's one write lock now, which already serializes every writer.</summary>
    public override async Task<DbTransaction> BeginSerializedWriteAsync(DbConnection connection, long lockKey, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A deferred transaction reads one WAL snapshot without taking the write lock.</summary>
    public override Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <summary>One prepared statement re-run per row: in-process, there are no round trips to save.</summary>
    public override async Task InsertAsync<T>(DbConnection connection, DbTransaction transaction, BulkInsert<T> insert, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var names = insert.Columns.Select((_, i) => "$" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        await using var command = DbCommands.Create(connection, transaction, insert.Head + "(" + string.Join(", ", names) + ")");
        var parameters = names.Select(name => command.AddParameter(name, null)).ToArray();
        var values = new object?[parameters.Length];
        foreach (var row in rows)
        {
            insert.Values(row, values);
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
