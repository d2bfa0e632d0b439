using System.Data.Common;
using System.Threading.Channels;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Audit;

public sealed partial class AuditLog
{
    /// <summary>How long the writer keeps its connection open with nothing to write.</summary>
    internal static readonly TimeSpan IdleConnection = TimeSpan.FromSeconds(2);

    // The writer's own connection (on a pooled context, so it opens as every connection does: the SQLite write gate's
    // interceptor, NO_CKPT_ON_CLOSE), kept open with its statements from one batch to the next while appends keep
    // coming (issue 15: a context, a connection open and the statements' preparation were most of an append's bytes).
    // Only the writer touches these. Dropped after a failed batch and after IdleConnection without appends, so a
    // connection the server closed meanwhile (PostgreSQL's idle timeout, a restart) is not reused long after.
    private KeywardDbContext? _writerContext;
    private DbConnection? _writerConnection;
    private DbCommand? _sizeCommand;
    private AuditInserts? _inserts;

    /// <summary>The writer's open connection, opened now if it is not.</summary>
    private async ValueTask<DbConnection> WriterConnectionAsync(CancellationToken cancellationToken)
    {
        if (_writerConnection is { } open)
        {
            return open;
        }

        var db = _database.CreateContext();
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _writerContext = db;
        _writerConnection = db.Database.GetDbConnection();
        return _writerConnection;
    }

    /// <summary>The log's size in the append transaction, on a command kept (and, on SQLite, prepared) with the connection.</summary>
    private async Task<long> SizeAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        _sizeCommand ??= AuditSql.SizeCommand(connection);
        _sizeCommand.Transaction = transaction;
        return AuditSql.Size(await _sizeCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The small batches' INSERT statements, kept with the writer's connection.</summary>
    private AuditInserts Inserts => _inserts ??= new AuditInserts();

    /// <summary>Closes the writer's connection (returning it to its pool); the next batch opens one afresh.</summary>
    private async ValueTask CloseWriterConnectionAsync()
    {
        if (_inserts is { } inserts)
        {
            _inserts = null;
            await inserts.DisposeAsync().ConfigureAwait(false);
        }

        if (_sizeCommand is { } size)
        {
            _sizeCommand = null;
            await size.DisposeAsync().ConfigureAwait(false);
        }

        _writerConnection = null;
        if (_writerContext is { } db)
        {
            // Closing the connection also ends any hold it still has on the SQLite write gate.
            _writerContext = null;
            await db.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="CloseWriterConnectionAsync"/>, for a connection that may be broken: a failure to close it is not the writer's.</summary>
    private async ValueTask DropWriterConnectionAsync()
    {
        try
        {
            await CloseWriterConnectionAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The connection is gone either way (its fields are cleared first); the next batch opens another.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Waits for appends; while the writer holds a connection, at most <see cref="IdleConnection"/> before it lets the
    /// connection go and waits on without one. False once the log is shut down and drained.
    /// </summary>
    private async ValueTask<bool> WaitForAppendsAsync(ChannelReader<PendingAppend> reader)
    {
        if (_writerConnection is null || reader.TryPeek(out _))
        {
            return await reader.WaitToReadAsync().ConfigureAwait(false);
        }

        using (var idle = new CancellationTokenSource(IdleConnection, _time))
        {
            try
            {
                return await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested)
            {
            }
        }

        await DropWriterConnectionAsync().ConfigureAwait(false);
        return await reader.WaitToReadAsync().ConfigureAwait(false);
    }
}
