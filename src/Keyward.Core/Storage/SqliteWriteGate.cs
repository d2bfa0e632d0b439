using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Keyward.Core.Storage;

/// <summary>
/// One writer at a time per SQLite file in this process, awaited instead of slept. SQLite allows one write
/// transaction per file; without this gate, concurrent writers find the lock taken and Microsoft.Data.Sqlite retries
/// them with <c>Thread.Sleep(150)</c> on thread-pool threads (issue 15 traced 27% of a sign-in load there). Behind the
/// gate a writer meets SQLite's lock only when another process holds it (a CLI command on the same file); for that
/// case the command timeout (<see cref="StorageOptions.BusyTimeout"/>) still bounds the wait.
/// </summary>
/// <remarks>
/// A connection holds the gate for as long as any of its owners does: its write transaction, a SaveChanges, or one
/// write statement outside a transaction. Owners nest, so a SaveChanges inside a gated transaction, or the
/// transaction EF Core opens inside a SaveChanges, does not wait for itself. Reads never enter the gate: in WAL mode
/// they run beside the writer on their own pooled connections.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "A gate lives as long as the process, like its file's connection pool; its semaphore never allocates a wait handle (no AvailableWaitHandle).")]
internal sealed class SqliteWriteGate
{
    /// <summary>The owner that stands for a connection's write transaction (a connection has at most one).</summary>
    public static readonly object TransactionOwner = new();

    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly ConditionalWeakTable<DbConnection, Holder> _holders = [];

    private SqliteWriteGate()
    {
    }

    /// <summary>
    /// The gate of the database that <paramref name="connectionString"/> opens: one per file for the whole process, so
    /// two <see cref="KeywardDatabase"/> instances on one file (a test's second node, the CLI beside the server in one
    /// process) queue at the same gate.
    /// </summary>
    public static SqliteWriteGate For(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        var key = inMemory ? connectionString : Path.GetFullPath(builder.DataSource);
        return Gates.GetOrAdd(key, static _ => new SqliteWriteGate());
    }

    /// <summary>
    /// Makes <paramref name="owner"/> an owner of the gate for <paramref name="connection"/>, waiting (without blocking
    /// a thread) for the writer before it. Throws a SQLITE_BUSY <see cref="SqliteException"/>, which
    /// <see cref="StorageBusy"/> recognizes, after <paramref name="timeout"/>.
    /// </summary>
    public async ValueTask EnterAsync(DbConnection connection, object owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var holder = _holders.GetValue(connection, static _ => new Holder());
        if (holder.Join(owner))
        {
            return;
        }

        if (!_one.Wait(0, CancellationToken.None) && !await _one.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw TimedOut();
        }

        holder.First(owner);
    }

    /// <summary>The same as <see cref="EnterAsync"/> for EF Core's synchronous calls, which block their thread anyway.</summary>
    public void Enter(DbConnection connection, object owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var holder = _holders.GetValue(connection, static _ => new Holder());
        if (holder.Join(owner))
        {
            return;
        }

        if (!_one.Wait(timeout, cancellationToken))
        {
            throw TimedOut();
        }

        holder.First(owner);
    }

    /// <summary>Ends <paramref name="owner"/>'s hold; the last owner out opens the gate. Does nothing for a non-owner.</summary>
    public void Exit(DbConnection connection, object owner)
    {
        if (_holders.TryGetValue(connection, out var holder) && holder.Leave(owner))
        {
            _one.Release();
        }
    }

    /// <summary>Ends every hold of <paramref name="connection"/>: it closed, so whatever it wrote has ended.</summary>
    public void ExitAll(DbConnection connection)
    {
        if (_holders.TryGetValue(connection, out var holder) && holder.LeaveAll())
        {
            _one.Release();
        }
    }

    /// <summary>True while some connection holds the gate (for tests).</summary>
    internal bool IsHeld => _one.CurrentCount == 0;

    private static SqliteException TimedOut() =>
        new("database is locked: another write held Keyward's write gate for longer than Keyward:Storage:BusyTimeout", 5);

    /// <summary>The owners through which one connection holds the gate.</summary>
    private sealed class Holder
    {
        private readonly HashSet<object> _owners = new(ReferenceEqualityComparer.Instance);

        /// <summary>Adds the owner when the connection already holds the gate; false when it must be waited for.</summary>
        public bool Join(object owner)
        {
            lock (_owners)
            {
                if (_owners.Count == 0)
                {
                    return false;
                }

                _owners.Add(owner);
                return true;
            }
        }

        public void First(object owner)
        {
            lock (_owners)
            {
                _owners.Add(owner);
            }
        }

        /// <summary>True when this was the last owner, so the gate must be released.</summary>
        public bool Leave(object owner)
        {
            lock (_owners)
            {
                return _owners.Remove(owner) && _owners.Count == 0;
            }
        }

        public bool LeaveAll()
        {
            lock (_owners)
            {
                var held = _owners.Count > 0;
                _owners.Clear();
                return held;
            }
        }
    }
}
