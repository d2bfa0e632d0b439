using System.Data.Common;

namespace Keyward.Core.Storage;

/// <summary>
/// Everything Keyward does differently on each storage provider below EF Core: making contexts, migrating, the
/// transactions the audit log needs, and bulk inserts. <see cref="KeywardDatabase"/> picks one from
/// <see cref="StorageOptions.Provider"/> once; no other code in Keyward.Core asks which provider or connection it has.
/// </summary>
internal abstract class StorageDialect
{
    /// <summary>A new context from the provider's pool.</summary>
    public abstract KeywardDbContext CreateContext();

    /// <summary>Applies pending migrations to <paramref name="db"/>'s database, with what the provider needs around them.</summary>
    public abstract Task MigrateAsync(KeywardDbContext db, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction that runs alone among every transaction begun here with the same
    /// <paramref name="lockKey"/>, on every broker node, from the moment this returns: what it reads cannot go stale
    /// before it commits.
    /// </summary>
    public abstract Task<DbTransaction> BeginSerializedWriteAsync(DbConnection connection, long lockKey, CancellationToken cancellationToken);

    /// <summary>Begins a transaction whose reads all see one moment of the database, without blocking writers.</summary>
    public abstract Task<DbTransaction> BeginSnapshotReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Before a write statement run with plain ADO.NET outside a transaction (EF Core's interceptors do not see it):
    /// waits for what the provider needs writers to hold, for <paramref name="owner"/> on <paramref name="connection"/>.
    /// Nothing on PostgreSQL; SQLite's write gate.
    /// </summary>
    public virtual ValueTask EnterWriteAsync(DbConnection connection, object owner, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// The writer that lets concurrent single-statement writes (single-use consumes) share one transaction and one
    /// commit, where the provider gains from it: SQLite, whose one write lock and one flush per commit are what each
    /// write would otherwise wait for. Null on PostgreSQL, where concurrent statements commit side by side on their own
    /// connections and each keeps its own autocommit.
    /// </summary>
    public virtual SqliteGroupCommit? GroupCommit => null;

    /// <summary>
    /// Whether a long-lived writer (the audit log's) may keep its connection open from one batch to the next: true on
    /// SQLite, one local file. False on PostgreSQL: a connection kept through an outage or a server restart fails the
    /// next batch although the pool has healthy ones by then (the node must serve again as soon as the database is back),
    /// so the writer takes a pooled connection per batch there, as before issue 15.
    /// </summary>
    public virtual bool KeepsWriterConnection => false;

    /// <summary>After that statement, whether it succeeded or not: ends <paramref name="owner"/>'s hold.</summary>
    public virtual void ExitWrite(DbConnection connection, object owner)
    {
    }

    /// <summary>Inserts <paramref name="rows"/> in the provider's fastest plain-ADO.NET form, inside <paramref name="transaction"/>.</summary>
    public abstract Task InsertAsync<T>(DbConnection connection, DbTransaction transaction, BulkInsert<T> insert, IReadOnlyList<T> rows, CancellationToken cancellationToken);
}
