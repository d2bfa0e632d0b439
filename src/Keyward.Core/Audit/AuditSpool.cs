using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Core.Audit;

/// <summary>
/// The durable local spool for the events of revocations the audit log could not take (docs/audit.md, "The revocation
/// spool"): an append-only file, owner-only (0600), of <see cref="AuditSpoolFrame"/> records, each written and
/// fsync'd before <see cref="AppendAsync"/> returns. A torn or damaged record (a crash mid-write) and anything after it
/// are cut off, with a log line, when the spool is opened. Bounded by <see cref="AuditOptions.SpoolMaxBytes"/>: when
/// full, the event is dropped and reported, and the revocation still takes effect (an outage must never keep a
/// credential alive). <see cref="DrainAsync"/> appends the spool to the log, in order, exactly once.
/// </summary>
public sealed partial class AuditSpool : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Guards the file and _length: appends, and the cut after a drain.
    private readonly SemaphoreSlim _file = new(1, 1);

    // One drain at a time.
    private readonly SemaphoreSlim _drain = new(1, 1);
    private long _length;

    /// <summary>Opens the spool at <paramref name="path"/> (its folder must exist), cutting off a torn tail.</summary>
    public AuditSpool(string path, AuditOptions options, TimeProvider time, ILogger<AuditSpool>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _path = path;
        _maxBytes = options.SpoolMaxBytes;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        File.Delete(TempPath);
        if (File.Exists(_path))
        {
            var (events, end) = Read();
            var length = new FileInfo(_path).Length;
            if (end < length)
            {
                TornTail(_logger, length - end, events.Count);
                using var stream = OpenForWrite(FileMode.Open);
                stream.SetLength(end);
                stream.Flush(flushToDisk: true);
            }

            _length = end;
        }
    }

    /// <summary>The spool file.</summary>
    public string FilePath => _path;

    /// <summary>Bytes of whole records waiting to be drained (a metric).</summary>
    public long Length => Interlocked.Read(ref _length);

    /// <summary>True when no event waits.</summary>
    public bool IsEmpty => Length == 0;

    private string TempPath => _path + ".tmp";

    /// <summary>
    /// Adds <paramref name="record"/> (stamped now unless it has an <see cref="AuditRecord.OriginalTime"/>, marked
    /// <c>spooled</c> and given a <c>spool_id</c>) and returns true once it is on disk; false when it was dropped
    /// because the spool is full or its file failed (logged as an error; the caller counts it).
    /// </summary>
    public async Task<bool> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var id = Guid.NewGuid();
        var details = new Dictionary<string, string>(record.Details, StringComparer.Ordinal)
        {
            ["spooled"] = "true",
            ["spool_id"] = id.ToString(),
        };
        var stamped = record with { OriginalTime = record.OriginalTime ?? _time.GetUtcNow().ToUnixTimeMilliseconds(), Details = details };
        var frame = AuditSpoolFrame.Encode(new SpooledEvent(id, stamped));

        await _file.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_length + frame.Length > _maxBytes)
            {
                Dropped(_logger, record.Action, "the spool is full (Keyward:Audit:SpoolMaxBytes)", null);
                return false;
            }

            try
            {
                using var stream = OpenForWrite(FileMode.OpenOrCreate);
                try
                {
                    stream.Seek(_length, SeekOrigin.Begin);
                    stream.Write(frame);
                    stream.Flush(flushToDisk: true);
                }
                catch (IOException)
                {
                    // Leave no partial record behind the last whole one.
                    stream.SetLength(_length);
                    throw;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Dropped(_logger, record.Action, "the spool file could not be written", e);
                return false;
            }

            Interlocked.Add(ref _length, frame.Length);
            Spooled(_logger, record.Action, id);
            return true;
        }
        finally
        {
            _file.Release();
        }
    }

    /// <summary>Every whole record from the start of the file, in order, and the offset after the last of them.</summary>
    private (List<SpooledEvent> Events, long End) Read()
    {
        var data = File.ReadAllBytes(_path);
        var events = new List<SpooledEvent>();
        var at = 0;
        while (at < data.Length && AuditSpoolFrame.TryRead(data.AsSpan(at), out var spooled, out var length))
        {
            events.Add(spooled!);
            at += length;
        }

        return (events, at);
    }

    private FileStream OpenForWrite(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return new FileStream(mode == FileMode.Create ? TempPath : _path, options);
    }

    /// <summary>Releases the locks.</summary>
    public void Dispose()
    {
        _file.Dispose();
        _drain.Dispose();
    }

    [LoggerMessage(AuditEventIds.Spooled, LogLevel.Warning, "The audit log could not take a {Action} event; the revocation took effect and its event was spooled ({SpoolId}) to be appended when the log recovers.")]
    private static partial void Spooled(ILogger logger, string action, Guid spoolId);

    [LoggerMessage(AuditEventIds.SpoolDropped, LogLevel.Error, "A {Action} event was DROPPED: the audit log could not take it and {Reason}. The revocation took effect; the audit log will not show it.")]
    private static partial void Dropped(ILogger logger, string action, string reason, Exception? exception);

    [LoggerMessage(AuditEventIds.SpoolTornTail, LogLevel.Warning, "The audit spool ended in {Bytes} bytes of a torn or damaged record (a crash mid-write), which were dropped; {Kept} whole events remain.")]
    private static partial void TornTail(ILogger logger, long bytes, int kept);
}
