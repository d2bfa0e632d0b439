using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Keyward.Core.Storage;

/// <summary>Embedded SQLite: one file in the data directory, WAL, one writer at a time.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Every value is a parameter; the text is built only from fixed identifiers and parameter names.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The keeper connection lives as long as the dialect, which lives as long as its KeywardDatabase (the process); its native handle is released by its finalizer.")]
internal sealed class SqliteDialect : StorageDialect
{
    private readonly PooledDbContextFactory<SqliteKeywardDbContext> _factory;
    private readonly TimeSpan _busyTimeout;
    private readonly string? _keeperConnection;

    // Open for as long as this dialect lives (see KeepOpen); never used for a statement after the first.
    private SqliteConnection? _keeper;

    public SqliteDialect(StorageOptions options, string dataDirectory, IReadOnlyList<IInterceptor> extraInterceptors, TimeProvider time, bool groupCommit = true)
    {
        // Writers in this process queue at the write gate (awaited, bounded by BusyTimeout), so they never meet
        // SQLite's lock held by one another. Microsoft.Data.Sqlite still retries a lock held by another process (a CLI
        // command on the same file), sleeping until the command timeout: that stays the bound on how long a request
        // waits for it (then StorageBusy maps the SQLITE_BUSY to 503).
        var builder = options.ConnectionString is { } configured
            ? new SqliteConnectionStringBuilder(configured)
            : new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "keyward.db"), Pooling = true };
        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        var connection = builder.ToString();
        _busyTimeout = options.BusyTimeout;
        Gate = SqliteWriteGate.For(connection);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        _keeperConnection = inMemory ? null : new SqliteConnectionStringBuilder(connection) { Pooling = false }.ToString();
        IInterceptor[] interceptors = [new SqliteWriteGateInterceptor(Gate, _busyTimeout), .. extraInterceptors];
        _factory = new PooledDbContextFactory<SqliteKeywardDbContext>(
            new DbContextOptionsBuilder<SqliteKeywardDbContext>()
                .UseSqlite(connection)
                .AddInterceptors(interceptors)
                .Options);
        GroupCommit = groupCommit ? new SqliteGroupCommit(CreateContext, Gate, _busyTimeout, time) : null;
    }

    /// <summary>Single-use consumes queue here and share a transaction (null only for a benchmark's baseline).</summary>
    public override SqliteGroupCommit? GroupCommit { get; }

    /// <inheritdoc/>
    public override bool KeepsWriterConnection => true;

    /// <summary>The file's write gate, shared by every dialect on the same file in this process.</summary>
    internal SqliteWriteGate Gate { get; }

    public override KeywardDbContext CreateContext() => _factory.CreateDbContext();

    public override async Task MigrateAsync(KeywardDbContext db, CancellationToken cancellationToken)
    {
        // WAL lets readers run beside the one writer; it is a property of the file, so set it once.
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await KeepOpenAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets what every connection to the file needs as it opens: no checkpoint when it closes
    /// (<c>SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE</c>). Without it, a pooled connection that closes (the pool's idle pruning,
    /// <see cref="SqliteConnection.ClearAllPools"/>) tries for an exclusive lock on the database file to checkpoint
    /// and delete the WAL; for that moment SQLite's per-process lock table marks the file pending or exclusive, and a
    /// connection opening beside it finds its first statement's shared lock taken: SQLITE_BUSY, and Microsoft.Data.Sqlite
    /// sleeps 150 ms, inside the write gate. The WAL is checkpointed as it grows (every 1,000 pages, on commit), so
    /// nothing is lost; a WAL left at exit is replayed by the next start.
    /// </summary>
    public static void OnOpened(SqliteConnection connection)
    {
        var rc = SQLitePCL.raw.sqlite3_db_config(connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    /// <summary>
    /// One connection of this dialect's own, outside the pool, held open from the migration on: it keeps the file's
    /// WAL index (the <c>-shm</c>) open in this process, so that when every pooled connection has been closed the next
    /// ones do not rebuild it. A rebuild (WAL recovery) locks the index, and connections opening beside it get
    /// SQLITE_BUSY_RECOVERY, slept on like any other SQLITE_BUSY.
    /// </summary>
    private async Task KeepOpenAsync(CancellationToken cancellationToken)
    {
        if (_keeperConnection is null || _keeper is not null)
        {
            return;
        }

        var keeper = new SqliteConnection(_keeperConnection);
        try
        {
            await keeper.OpenAsync(cancellationToken).ConfigureAwait(false);
            OnOpened(keeper);
            await using var command = DbCommands.Create(keeper, null, "PRAGMA journal_mode=WAL;");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _keeper = keeper;
    }

    /// <summary>The write gate, for a statement run with plain ADO.NET outside a transaction.</summary>
    public override ValueTask EnterWriteAsync(DbConnection connection, object owner, CancellationToken cancellationToken) =>
        Gate.EnterAsync(connection, owner, _busyTimeout, cancellationToken);

    /// <inheritdoc />
    public override void ExitWrite(DbConnection connection, object owner) => Gate.Exit(connection, owner);

    /// <summary>
    /// The write gate, then BEGIN IMMEDIATE: the file's one write lock, which already serializes every writer. This
    /// transaction is begun below EF Core, so its hold on the gate ends when the context's connection closes.
    /// </summary>
    public override async Task<DbTransaction> BeginSerializedWriteAsync(DbConnection connection, long lockKey, CancellationToken cancellationToken)
    {
        await Gate.EnterAsync(connection, SqliteWriteGate.TransactionOwner, _busyTimeout, cancellationToken).ConfigureAwait(false);
        return await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

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
