using System.Collections.Concurrent;
using System.Data.Common;

namespace Keyward.Core.Storage;

/// <summary>
/// Group commit for short single-statement writes on SQLite (single-use consumes, ticket mints): callers queue their write, and one
/// writer at a time takes the gate, begins one <c>BEGIN IMMEDIATE</c> transaction, runs up to <see cref="MaxBatch"/>
/// queued writes in it, each inside its own savepoint, and commits once. Each statement is still its own atomic
/// conditional <c>UPDATE … RETURNING</c>, decided by the database, so exactly once holds per row; what changes is that
/// a batch pays one commit (its flush) instead of one each.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A caller is told its outcome only after its batch committed: nobody hears "consumed" for a write that was
/// rolled back, and durability is the commit's, as before (same connection settings, same synchronous level).</item>
/// <item>A write that fails (its statement, or the code reading its row) is rolled back to its savepoint and fails
/// only its caller; the others in the batch go on. If the savepoint cannot be rolled back, or the commit fails, every
/// caller of the batch fails and nothing of it is kept; the next batch starts afresh.</item>
/// <item>A caller that cancels while its write is still queued is dropped from the queue and nothing is written; once
/// a batch took the write, the caller waits for that batch (bounded by the batch, not by other callers).</item>
/// <item>The writer's wait at the write gate is bounded by <see cref="StorageOptions.BusyTimeout"/>; past it, the queued
/// writes fail as storage-busy, as a lone write would.</item>
/// <item>The writer keeps its connection and its prepared statements from one batch to the next in a
/// <see cref="KeptConnection{TCommands}"/> (issue 15: renting a context, opening a connection and preparing the savepoint
/// statements were most of a lone mint's bytes). It leaves the write gate after every batch. After any failure in a
/// batch the connection is dropped and the next batch opens a fresh one; after <see cref="IdleConnection"/> without
/// writes (on the host's clock) it is closed (returned to its pool).</item>
/// </list>
/// </remarks>
internal sealed class SqliteGroupCommit : IDisposable
{
    /// <summary>
    /// The most writes one transaction takes. At ~10 µs a consume inside a transaction (tmpfs) a full batch holds the
    /// gate ~1–2 ms, so other writers (sign-ins, audit) are not kept waiting much longer than by one commit.
    /// </summary>
    public const int MaxBatch = 128;

    private const string Savepoint = "SAVEPOINT kw_write";
    private const string Release = "RELEASE kw_write";
    private const string RollbackTo = "ROLLBACK TO kw_write";

    /// <summary>How long the writer keeps its connection open with nothing to write.</summary>
    internal static readonly TimeSpan IdleConnection = KeptConnection.Idle;

    private readonly ConcurrentQueue<GroupedWrite> _queue = new();
    private readonly SqliteWriteGate _gate;
    private readonly TimeSpan _busyTimeout;
    private int _draining;

    // The writer's connection and its statements, kept between batches; only the holder of _draining takes it.
    private readonly KeptConnection<GroupBatch> _connection;

    public SqliteGroupCommit(Func<KeywardDbContext> contexts, SqliteWriteGate gate, TimeSpan busyTimeout, TimeProvider time)
    {
        _gate = gate;
        _busyTimeout = busyTimeout;
        _connection = new KeptConnection<GroupBatch>(contexts, static connection => new GroupBatch(connection), keep: true, time);
    }

    /// <summary>Whether a writer is draining the queue now (for tests).</summary>
    internal bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>Whether the writer holds an open connection now (for tests).</summary>
    internal bool HasConnection => _connection.IsOpen;

    /// <summary>Closes the kept connection (now, or as the batch running ends); later batches open and close their own.</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// Queues <paramref name="run"/> (its statements, run on the batch's connection in its transaction) and completes
    /// with its result once its batch committed.
    /// </summary>
    public Task<T> RunAsync<T>(Func<GroupBatch, Task<T>> run, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var write = new GroupedWrite<T>(run, cancellationToken);
        _queue.Enqueue(write);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return write.Task;
    }

    // One drainer at a time. It stops only when it saw the queue empty after giving up its flag; a write queued in
    // between starts a new drainer (its CompareExchange succeeds), or this one takes the flag back.
    private async Task DrainAsync()
    {
        while (true)
        {
            while (!_queue.IsEmpty)
            {
                try
                {
                    await RunBatchAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Not a statement's or the commit's failure (those are handled per batch): a context that could
                    // not be made or disposed. Fail what waits rather than leave it waiting for a drainer that died.
                    FailQueued(e);
                }
            }

            Interlocked.Exchange(ref _draining, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task RunBatchAsync()
    {
        var taken = new List<GroupedWrite>();
        var failed = new Dictionary<GroupedWrite, Exception>(ReferenceEqualityComparer.Instance);
        Exception? broken = null;
        // No connection: the exception fails what waits (DrainAsync); nothing was taken.
        var batch = await _connection.TakeAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _gate.EnterAsync(batch.Connection, SqliteWriteGate.TransactionOwner, _busyTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // No gate within BusyTimeout: every write queued now has waited behind the same holder.
            _connection.Return(failed: true);
            FailQueued(e);
            return;
        }

        var connection = batch.Connection;
        DbTransaction transaction;
        try
        {
            // Begun before the writes are taken, so that those queued while this writer waited for the gate join it.
            transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Another process holds the file's lock past the command timeout.
            _gate.Exit(connection, SqliteWriteGate.TransactionOwner);
            _connection.Return(failed: true);
            FailQueued(e);
            return;
        }

        try
        {
            await using var owned = transaction;
            batch.Transaction = transaction;
            while (taken.Count < MaxBatch && _queue.TryDequeue(out var write))
            {
                if (write.TryTake())
                {
                    taken.Add(write);
                }
            }

            if (taken.Count == 0)
            {
                return;
            }

            foreach (var write in taken)
            {
                await batch.ExecuteAsync(Savepoint).ConfigureAwait(false);
                try
                {
                    await write.RunAsync(batch).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Undo whatever this write did (an UPDATE whose RETURNING row could not be read has run), so
                    // its row is as if it never came; when that fails too, the catch below fails the batch.
                    failed.Add(write, e);
                    await batch.ExecuteAsync(RollbackTo).ConfigureAwait(false);
                }

                await batch.ExecuteAsync(Release).ConfigureAwait(false);
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The commit (or a savepoint) failed: the transaction is rolled back as it is disposed, and no caller of
            // the batch may be told its write happened (they are told below, once the connection is dropped).
            broken = e;
        }
        finally
        {
            batch.Transaction = null;
            _gate.Exit(connection, SqliteWriteGate.TransactionOwner);

            // After any failure the connection (and whatever a failed write left on it) is not reused; otherwise it is
            // kept, and closed if no batch comes within IdleConnection.
            _connection.Return(failed: broken is not null || failed.Count > 0);
        }

        foreach (var write in taken)
        {
            if (broken is not null)
            {
                write.Fail(broken);
            }
            else if (failed.TryGetValue(write, out var error))
            {
                write.Fail(error);
            }
            else
            {
                write.Commit();
            }
        }
    }

    private void FailQueued(Exception exception)
    {
        while (_queue.TryDequeue(out var write))
        {
            if (write.TryTake())
            {
                write.Fail(exception);
            }
        }
    }
}
