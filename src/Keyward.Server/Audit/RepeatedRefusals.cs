using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Audit;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// Groups the repeats of a refusal that is written one event each because it names something Keyward knows (a revoked
/// agent key, a spent or revoked join token, a live session on the wrong plane) or a limit (<c>rate_limit.hit</c>), so
/// presenting the same thing again and again cannot write one event per attempt forever (docs/audit.md, "Repeated
/// refusals"). Per key (the action, the refused credential or limit, and the client address group,
/// <see cref="AddressGroup"/>): the first refusal is written as ever, by the caller (<see cref="Admit"/> says so);
/// repeats in the same interval (<see cref="AuditOptions.UnauthenticatedInterval"/>) are counted, and when the interval
/// closes one event per key says how many (<c>count</c>, <c>first</c>, <c>last</c>, beside the first event's details).
/// A key that repeated stays grouped into the next interval (one event per interval while it goes on); a key quiet for
/// an interval is forgotten, so its next refusal is written again. Memory is bounded: at most
/// <see cref="AuditOptions.RepeatedRefusalsMaxKeys"/> keys; refusals under further keys are counted in one overflow
/// event per action. Keys hold a hash of the credential, never the credential. Counts that cannot be written (audit
/// outage) are kept for the next interval.
/// </summary>
internal sealed partial class RepeatedRefusals(IAuditLog audit, IOptions<AuditOptions> options, TimeProvider time, ILogger<RepeatedRefusals> logger) : IntervalAuditFlusher(audit, options, time)
{
    /// <summary>The target of the event that counts refusals under keys beyond the limit.</summary>
    public const string OverflowTarget = "overflow";

    private readonly Lock _lock = new();
    private Dictionary<string, Repeats> _keys = new(StringComparer.Ordinal);
    private Dictionary<string, Repeats> _overflow = new(StringComparer.Ordinal);

    /// <summary>How many keys are grouped now (for tests and the bound).</summary>
    public int TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="record"/> is the first refusal of <paramref name="subject"/> (a credential as presented,
    /// or a limit's name) from <paramref name="address"/> in this interval: the caller writes it as ever. False when it
    /// is a repeat: it has been counted, and the interval's event will say so; the caller writes nothing.
    /// </summary>
    public bool Admit(string subject, IPAddress? address, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(record);
        var key = Key(record.Action, subject, AddressGroup.Of(address));
        var now = Time.GetUtcNow();
        lock (_lock)
        {
            if (_keys.TryGetValue(key, out var repeats))
            {
                repeats.Add(now, 1);
                return false;
            }

            if (_keys.Count >= Options.RepeatedRefusalsMaxKeys)
            {
                if (!_overflow.TryGetValue(record.Action, out var overflow))
                {
                    overflow = new Repeats(record with { Target = OverflowTarget, ClientAddress = null, Details = new Dictionary<string, string>() });
                    _overflow[record.Action] = overflow;
                }

                overflow.Add(now, 1);
                return false;
            }

            _keys[key] = new Repeats(record);
            return true;
        }
    }

    /// <summary>
    /// Writes <paramref name="record"/> when it is the first refusal of its key in this interval, else counts it. When
    /// the write fails the key is forgotten again (the next refusal is written, not counted) and the failure is thrown,
    /// as <see cref="IAuditLog.RecordAsync"/> throws it: the refusal itself must not go unrecorded.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The first refusal could not be recorded.</exception>
    public async Task RecordAsync(string subject, IPAddress? address, AuditRecord record)
    {
        if (!Admit(subject, address, record))
        {
            return;
        }

        try
        {
            await Audit.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditUnavailableException)
        {
            lock (_lock)
            {
                _keys.Remove(Key(record.Action, subject, AddressGroup.Of(address)));
            }

            throw;
        }
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<AuditRecord> Records, Action Restore) Take()
    {
        Dictionary<string, Repeats> taken;
        Dictionary<string, Repeats> overflow;
        lock (_lock)
        {
            (taken, overflow) = (_keys, _overflow);
            (_keys, _overflow) = (new Dictionary<string, Repeats>(StringComparer.Ordinal), new Dictionary<string, Repeats>(StringComparer.Ordinal));

            // A key that repeated stays grouped: the next interval's refusals are counted, not written one by one.
            foreach (var (key, repeats) in taken.Where(k => k.Value.Count > 0))
            {
                _keys[key] = new Repeats(repeats.Template);
            }
        }

        var records = taken.Values.Concat(overflow.Values).Where(r => r.Count > 0).Select(r => r.Record()).ToList();
        return (records, () => Restore(taken, overflow));
    }

    /// <inheritdoc/>
    protected override void ReportUnwritten(int events, Exception exception) => LogFailed(logger, events, exception);

    private void Restore(Dictionary<string, Repeats> taken, Dictionary<string, Repeats> overflow)
    {
        lock (_lock)
        {
            foreach (var (key, repeats) in taken.Where(k => k.Value.Count > 0))
            {
                if (!_keys.TryGetValue(key, out var now))
                {
                    now = new Repeats(repeats.Template);
                    _keys[key] = now;
                }

                now.Merge(repeats);
            }

            foreach (var (action, repeats) in overflow)
            {
                if (!_overflow.TryGetValue(action, out var now))
                {
                    now = new Repeats(repeats.Template);
                    _overflow[action] = now;
                }

                now.Merge(repeats);
            }
        }
    }

    // The credential only as a hash: the key lives in memory for an interval and must not hold a secret.
    private static string Key(string action, string subject, string group)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(subject), hash);
        return string.Concat(action, " ", Convert.ToHexString(hash[..16]), " ", group);
    }

    [LoggerMessage(AuditEventIds.RepeatCountsFailed, LogLevel.Warning, "Could not write {Events} counts of repeated refusals; they are kept for the next interval.")]
    private static partial void LogFailed(ILogger logger, int events, Exception exception);

    // One key's repeats in an interval: the first event (the template of the summary) and the repeats counted since.
    // Not thread-safe: the owner holds its lock around every call.
    private sealed class Repeats(AuditRecord template)
    {
        public AuditRecord Template { get; } = template;

        public long Count { get; private set; }

        public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

        public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

        public void Add(DateTimeOffset at, long times)
        {
            Count += times;
            First = at < First ? at : First;
            Last = at > Last ? at : Last;
        }

        public void Merge(Repeats other)
        {
            if (other.Count > 0)
            {
                Add(other.First, other.Count - 1);
                Add(other.Last, 1);
            }
        }

        public AuditRecord Record()
        {
            var details = new Dictionary<string, string>(Template.Details)
            {
                ["count"] = Count.ToString(CultureInfo.InvariantCulture),
                ["first"] = First.ToString("O", CultureInfo.InvariantCulture),
                ["last"] = Last.ToString("O", CultureInfo.InvariantCulture),
            };
            return Template with { Details = details, OriginalTime = null };
        }
    }
}
