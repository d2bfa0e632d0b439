using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Storage;

/// <summary>
/// A long-lived writer's own connection (the audit log's writer, <see cref="SqliteGroupCommit"/>'s), kept open with its
/// prepared commands from one batch to the next (issue 15: renting a context, opening a connection and preparing the
/// statements were most of a lone write's bytes). The writer takes it for a batch (<see cref="TakeAsync"/>) and gives
/// it back (<see cref="Return"/>); in between, only that writer uses it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The connection is opened through a pooled context (<c>contexts</c>), so with the same settings and
/// interceptors as every connection (SQLite: the write gate's interceptor, <c>NO_CKPT_ON_CLOSE</c>); its commands are
/// made once per connection by the caller's <c>prepare</c>, and disposed with it.</item>
/// <item><b>Dropped after a failure</b>: a batch given back as failed closes the connection (and whatever the failed
/// batch left on it); the next batch opens a fresh one. The writer gives the batch back before it answers any caller.</item>
/// <item><b>Closed when idle</b>: <see cref="KeptConnection.Idle"/> after the last batch was given back, on the
/// injected <see cref="TimeProvider"/>'s timer (the host's in production, a fake one in tests); never while taken.</item>
/// <item><b>Not kept where the dialect says so</b> (<see cref="StorageDialect.KeepsWriterConnection"/>, false on
/// PostgreSQL): the connection goes back to its pool as every batch is given back.</item>
/// <item><b>One batch at a time</b>: the callers' own exclusion (the audit log's single writer, the group commit's
/// draining flag) keeps batches apart; taking it while taken is a bug and throws <see cref="InvalidOperationException"/>.</item>
/// <item><b>Disposal</b> closes it (at once, or as the batch that has it is given back) and keeps nothing afterwards:
/// a writer still running then opens and closes a connection per batch.</item>
/// </list>
/// Closing the connection also ends any hold it still has on the SQLite write gate; callers leave the gate themselves
/// before they give a batch back, so that others do not wait for the idle close.
/// </remarks>
internal sealed class KeptConnection<TCommands> : IDisposable
    where TCommands : class, IDisposable
{
    private readonly Func<KeywardDbContext> _contexts;
    private readonly Func<DbConnection, TCommands> _prepare;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly ITimer _idleTimer;
    private readonly Lock _lock = new();

    // Guarded by _lock (the taker reads _commands without it: nobody else changes it while it is taken).
    private bool _keep;
    private bool _taken;
    private long _returnedAt;
    private KeywardDbContext? _context;
    private TCommands? _commands;

    /// <summary>Creates it closed; the first <see cref="TakeAsync"/> opens the connection.</summary>
    public KeptConnection(Func<KeywardDbContext> contexts, Func<DbConnection, TCommands> prepare, bool keep, TimeProvider time, TimeSpan? idle = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _contexts = contexts;
        _prepare = prepare;
        _keep = keep;
        _time = time;
        _idle = idle ?? KeptConnection.Idle;
        _idleTimer = time.CreateTimer(static state => ((KeptConnection<TCommands>)state!).CloseIfIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether a connection is open now (for tests).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _commands is not null;
            }
        }
    }

    /// <summary>
    /// Takes the connection for one batch: the kept one with its commands, or one opened (and its commands prepared)
    /// now. If opening fails, nothing is taken. Give it back with <see cref="Return"/> whatever the batch's outcome.
    /// </summary>
    /// <exception cref="InvalidOperationException">It is taken already (the caller's exclusion failed).</exception>
    public async ValueTask<TCommands> TakeAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_taken)
            {
                throw new InvalidOperationException("The writer's kept connection is taken already: its batches must run one at a time.");
            }

            _taken = true;
            if (_commands is { } kept)
            {
                return kept;
            }
        }

        try
        {
            var db = _contexts();
            try
            {
                await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                var commands = _prepare(db.Database.GetDbConnection());
                lock (_lock)
                {
                    _context = db;
                    _commands = commands;
                }

                return commands;
            }
            catch
            {
                await db.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            lock (_lock)
            {
                _taken = false;
            }

            throw;
        }
    }

    /// <summary>
    /// Gives the connection back after a batch: closes it when the batch <paramref name="failed"/> or the connection is
    /// not to be kept; otherwise keeps it and (re)starts the idle timer.
    /// </summary>
    public void Return(bool failed)
    {
        KeywardDbContext? db = null;
        TCommands? commands = null;
        lock (_lock)
        {
            if (!_taken)
            {
                throw new InvalidOperationException("The writer's kept connection was not taken.");
            }

            _taken = false;
            if (failed || !_keep)
            {
                (db, commands) = Detach();
            }
            else
            {
                _returnedAt = _time.GetTimestamp();
            }
        }

        if (db is null && commands is null)
        {
            _idleTimer.Change(_idle, Timeout.InfiniteTimeSpan);
        }
        else
        {
            Close(commands, db);
        }
    }

    /// <summary>Closes the connection now, or as its batch is given back; keeps nothing from now on.</summary>
    public void Dispose()
    {
        KeywardDbContext? db;
        TCommands? commands;
        lock (_lock)
        {
            _keep = false;
            _idleTimer.Dispose();
            if (_taken)
            {
                return;
            }

            (db, commands) = Detach();
        }

        Close(commands, db);
    }

    // The idle timer: closes the connection unless it is taken (its taker restarts the timer as it gives it back) or
    // was given back again since the timer was started (then it waits for the rest of the idle time).
    private void CloseIfIdle()
    {
        KeywardDbContext? db;
        TCommands? commands;
        lock (_lock)
        {
            if (_taken || _commands is null)
            {
                return;
            }

            var idle = _time.GetElapsedTime(_returnedAt);
            if (idle < _idle)
            {
                _idleTimer.Change(_idle - idle, Timeout.InfiniteTimeSpan);
                return;
            }

            (db, commands) = Detach();
        }

        Close(commands, db);
    }

    private (KeywardDbContext? Context, TCommands? Commands) Detach()
    {
        var detached = (_context, _commands);
        _context = null;
        _commands = null;
        return detached;
    }

    /// <summary>
    /// Disposes the commands, then the context (which closes the connection and returns it to its pool). A failure to
    /// close is not the writer's: the connection is gone either way, and the next batch opens another.
    /// </summary>
    private static void Close(TCommands? commands, KeywardDbContext? db)
    {
        Quietly(commands);
        Quietly(db);
    }

    private static void Quietly(IDisposable? disposable)
    {
        try
        {
            disposable?.Dispose();
        }
#pragma warning disable CA1031 // See Close: the fields are cleared first.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
