using Keyward.Core.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// Meters every refusal of a request without a valid credential (<see cref="UnauthenticatedRefusals"/>); those that
/// carried a malformed or unknown one (not none at all) it also counts per client address
/// group (<see cref="AddressGroup"/>) and writes one <c>access.unauthenticated_refusals</c> event per group when the
/// interval (<see cref="AuditOptions.UnauthenticatedInterval"/>) closes, and at shutdown. So a flood of garbage tokens
/// costs the log one event per address per interval, not one per request. Memory is bounded: at most
/// <see cref="AuditOptions.UnauthenticatedMaxAddresses"/> groups, each with a bounded sample (<see cref="RefusalTally"/>);
/// refusals from further addresses share one overflow tally. Counts that cannot be written (audit outage) are kept for
/// the next interval. The refusal itself never waits for the log: nothing happens that the log would have to hold.
/// </summary>
internal sealed partial class RefusalCounter(
    IAuditLog audit, IOptions<AuditOptions> options, KeywardMetrics metrics, TimeProvider time, ILogger<RefusalCounter> logger) : IntervalAuditFlusher(audit, options, time)
{
    /// <summary>The target of the event that counts refusals from addresses beyond the limit.</summary>
    public const string OverflowTarget = "overflow";

    private readonly Lock _lock = new();
    private Dictionary<string, RefusalTally> _tallies = new(StringComparer.Ordinal);
    private RefusalTally? _overflow;

    /// <summary>How many address groups are being counted now (for tests and the bound).</summary>
    public int TrackedGroups
    {
        get
        {
            lock (_lock)
            {
                return _tallies.Count;
            }
        }
    }

    /// <summary>Counts a refusal of <paramref name="context"/> with <paramref name="error"/>, audited as <paramref name="action"/> on <paramref name="target"/>.</summary>
    public void Count(HttpContext context, string action, string? target, KeywardError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        metrics.UnauthenticatedRefusals.Add(1, new KeyValuePair<string, object?>("code", error.Code));
        if (UnauthenticatedRefusals.IsNoCredential(error, context.Request))
        {
            return;
        }

        var group = AddressGroup.Of(context.Connection.RemoteIpAddress);
        var now = Time.GetUtcNow();
        var where = string.IsNullOrEmpty(target) ? action : string.Concat(action, " ", target);
        lock (_lock)
        {
            Tally(group, now).Add(error.Code, where, now);
        }
    }

    /// <inheritdoc/>
    protected override (IReadOnlyList<AuditRecord> Records, Action Restore) Take()
    {
        Dictionary<string, RefusalTally> taken;
        RefusalTally? overflow;
        lock (_lock)
        {
            (taken, overflow) = (_tallies, _overflow);
            (_tallies, _overflow) = (new Dictionary<string, RefusalTally>(StringComparer.Ordinal), null);
        }

        var records = taken.Select(t => Record(t.Key, t.Key, t.Value)).ToList();
        if (overflow is not null)
        {
            records.Add(Record(null, OverflowTarget, overflow));
        }

        return (records, () => Restore(taken, overflow));
    }

    /// <inheritdoc/>
    protected override void ReportUnwritten(int events, Exception exception) => LogFailed(logger, events, exception);

    // Under _lock: the group's tally, or the overflow one when the limit of groups is reached.
    private RefusalTally Tally(string group, DateTimeOffset now)
    {
        if (_tallies.TryGetValue(group, out var tally))
        {
            return tally;
        }

        if (_tallies.Count >= Options.UnauthenticatedMaxAddresses)
        {
            return _overflow ??= new RefusalTally(now);
        }

        tally = new RefusalTally(now);
        _tallies[group] = tally;
        return tally;
    }

    private void Restore(Dictionary<string, RefusalTally> taken, RefusalTally? overflow)
    {
        lock (_lock)
        {
            foreach (var (group, tally) in taken)
            {
                Tally(group, tally.First).Merge(tally);
            }

            if (overflow is not null)
            {
                (_overflow ??= new RefusalTally(overflow.First)).Merge(overflow);
            }
        }
    }

    private static AuditRecord Record(string? clientAddress, string target, RefusalTally tally) => new()
    {
        Actor = "anonymous",
        Action = AuditActions.UnauthenticatedRefusals,
        Target = target,
        Outcome = AuditOutcomes.Denied,
        ClientAddress = clientAddress,
        Details = tally.Details(),
    };

    [LoggerMessage(AuditEventIds.RefusalCountsFailed, LogLevel.Warning, "Could not write {Events} counts of unauthenticated refusals; they are kept for the next interval.")]
    private static partial void LogFailed(ILogger logger, int events, Exception exception);
}
