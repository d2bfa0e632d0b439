using System.Threading.Channels;
using Keyward.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Core.Audit;

/// <summary>
/// The audit log (one per process). Callers' records wait in a bounded queue; one writer takes up to
/// <see cref="AuditOptions.BatchSize"/> of them and, in one database transaction, numbers them after the current end
/// of the log, inserts them with the subtree hashes they complete, and commits. Only then does each caller learn its
/// sequence number: an event is durable before <see cref="RecordAsync"/> returns. When the transaction fails, every
/// caller in the batch gets <see cref="AuditUnavailableException"/> and nothing of the batch is stored; later batches
/// are tried afresh.
/// </summary>
public sealed partial class AuditLog : IAuditLog, IAsyncDisposable, IDisposable
{
    private readonly KeywardDatabase _database;
    private readonly TimeProvider _time;
    private readonly AuditOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PendingAppend> _queue;
    private readonly KeptConnection<AuditStatements> _connection;
    private readonly Task _writer;
    private long _queueFullLoggedAt = long.MinValue / 2;

    // The right edge of the tree after the last batch this process committed; only the writer touches it. Reloaded
    // from storage whenever the log's size differs (another node appended, or a batch failed).
    private MerkleFrontier? _frontier;
    private bool _writeFailed;

    /// <summary>Creates the log and starts its writer; throws listing every invalid option.</summary>
    public AuditLog(KeywardDatabase database, TimeProvider time, AuditOptions options, ILogger<AuditLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _database = database;
        _time = time;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _connection = WriterConnection(database, time);
        _writer = Task.Run(RunAsync);
    }

    /// <summary>
    /// Test hook: runs inside the append transaction after the rows are inserted and before commit. Throwing here
    /// must leave no trace of the batch and fail every caller in it.
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeCommit { get; set; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The record breaks a limit (a bug in the caller; nothing was queued).</exception>
    public async ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        var pending = new PendingAppend([PreparedRecord.From(record, Now, _options)]);
        await EnqueueAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A record breaks a limit, or there are none (nothing was queued).</exception>
    public ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default) =>
        new(AppendBatchAsync(records, cancellationToken));

    /// <summary>
    /// Appends many records in one transaction (imports, benchmarks): all are stored with consecutive sequence numbers,
    /// or none is. Returns the first sequence number once they are durable.
    /// </summary>
    /// <exception cref="AuditUnavailableException">Nothing was stored.</exception>
    public async Task<long> AppendBatchAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            throw new ArgumentException("There is nothing to append.", nameof(records));
        }

        var now = Now;
        var prepared = new PreparedRecord[records.Count];
        for (var i = 0; i < prepared.Length; i++)
        {
            prepared[i] = PreparedRecord.From(records[i], now, _options);
        }

        var pending = new PendingAppend(prepared);
        await EnqueueAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking records, writes those already queued, and waits for the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking (for containers disposed synchronously).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask EnqueueAsync(PendingAppend pending, CancellationToken cancellationToken)
    {
        try
        {
            if (_queue.Writer.TryWrite(pending))
            {
                return;
            }

            // Full: say so (at most once a minute), then wait for room like every other caller.
            var now = Now;
            var last = Interlocked.Read(ref _queueFullLoggedAt);
            if (now - last >= 60_000 && Interlocked.CompareExchange(ref _queueFullLoggedAt, now, last) == last)
            {
                QueueFull(_logger, _options.QueueCapacity);
            }

            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new AuditUnavailableException("The audit log is shut down; the event was not recorded.", e);
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        PendingAppend? carried = null;
        while (carried is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                count = carried.Records.Count;
                carried = null;
            }

            // A bulk append larger than a batch goes alone; otherwise fill the batch without splitting an append.
            while (count < _options.BatchSize && reader.TryRead(out var next))
            {
                if (count > 0 && count + next.Records.Count > _options.BatchSize)
                {
                    carried = next;
                    break;
                }

                batch.Add(next);
                count += next.Records.Count;
            }

            await WriteAsync(batch, count).ConfigureAwait(false);
        }

        _connection.Dispose();
    }

    private async Task WriteAsync(List<PendingAppend> batch, int count)
    {
        long first;
        try
        {
            first = await AppendAsync(batch, count).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever failed, the batch's callers must hear of it and the writer must go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _frontier = null;
            Volatile.Write(ref _writeFailed, true);
            LogWriteFailed(_logger, count, e);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new AuditUnavailableException("The audit log could not record the event; the operation it records must fail.", e));
            }

            return;
        }

        Volatile.Write(ref _writeFailed, false);
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(first);
            first += pending.Records.Count;
        }
    }

    [LoggerMessage(AuditEventIds.QueueFull, LogLevel.Warning, "The audit queue is full ({Capacity} waiting): callers wait for the writer, which is stalled or slower than the load.")]
    private static partial void QueueFull(ILogger logger, int capacity);

    /// <inheritdoc />
    public bool IsWriting => !Volatile.Read(ref _writeFailed);

    /// <summary>How many appends wait to be written (a metric: a growing queue means the writer is stalled).</summary>
    public int QueueDepth => _queue.Reader.Count;

    [LoggerMessage(AuditEventIds.WriteFailed, LogLevel.Error, "Could not write {Count} audit events; their operations were failed (fail closed).")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    /// <summary>One caller's records (one for <see cref="RecordAsync"/>), appended together and completed with the first sequence number.</summary>
    private sealed class PendingAppend(IReadOnlyList<PreparedRecord> records)
    {
        public IReadOnlyList<PreparedRecord> Records { get; } = records;

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
