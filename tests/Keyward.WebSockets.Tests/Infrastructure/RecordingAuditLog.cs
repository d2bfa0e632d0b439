using System.Collections.Concurrent;
using Keyward.Core.Audit;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>An <see cref="IAuditLog"/> that keeps every record in memory, or refuses them all when <see cref="Unavailable"/>.</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    private long _sequence = -1;
    private Action<AuditRecord>? _beforeRecord;

    public ConcurrentQueue<AuditRecord> Records { get; } = new();

    /// <summary>When set, every record fails as an unavailable log would.</summary>
    public bool Unavailable { get; set; }

    /// <summary>Runs (once) just before a record is kept: lets a test act in the middle of an operation.</summary>
    public Action<AuditRecord>? BeforeRecord
    {
        get => Volatile.Read(ref _beforeRecord);
        set => Volatile.Write(ref _beforeRecord, value);
    }

    public ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (Unavailable)
        {
            throw new AuditUnavailableException("test: the audit log is down");
        }

        Interlocked.Exchange(ref _beforeRecord, null)?.Invoke(record);

        Records.Enqueue(record);
        return ValueTask.FromResult(Interlocked.Increment(ref _sequence));
    }

    public ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        if (Unavailable)
        {
            throw new AuditUnavailableException("test: the audit log is down");
        }

        var first = -1L;
        foreach (var record in records)
        {
            Records.Enqueue(record);
            var sequence = Interlocked.Increment(ref _sequence);
            first = first < 0 ? sequence : first;
        }

        return ValueTask.FromResult(first);
    }

    public List<AuditRecord> Where(string action) => [.. Records.Where(r => r.Action == action)];

    /// <summary>
    /// How many refusals with <paramref name="code"/> were audited: one per denial record, plus those counted in the
    /// per-address events of refusals without a valid credential (flush the counter first).
    /// </summary>
    public long Refused(string code) =>
        Denied(code).Count + Records.Where(r => r.Action == AuditActions.UnauthenticatedRefusals).Sum(r => CountOf(r, code));

    /// <summary>The per-address events that counted refusals with <paramref name="code"/>.</summary>
    public List<AuditRecord> Counted(string code) => [.. Records.Where(r => r.Action == AuditActions.UnauthenticatedRefusals && CountOf(r, code) > 0)];

    private static long CountOf(AuditRecord record, string code) =>
        record.Details["codes"].Split(';').Select(c => c.Split('=')).Where(c => c[0] == code).Sum(c => long.Parse(c[1], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The denial records carrying <paramref name="code"/>.</summary>
    public List<AuditRecord> Denied(string code) =>
        [.. Records.Where(r => r.Outcome == AuditOutcomes.Denied && r.Details.TryGetValue("code", out var c) && c == code)];
}
