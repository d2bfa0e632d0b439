using System.Globalization;

namespace Keyward.Server.Audit;

/// <summary>
/// One client address group's refusals in an interval: how many, when, and a bounded sample of their codes and targets.
/// Not thread-safe: <see cref="RefusalCounter"/> holds its lock around every call.
/// </summary>
internal sealed class RefusalTally(DateTimeOffset first)
{
    /// <summary>The most distinct codes kept (the catalogue's refusal codes are a bounded set anyway).</summary>
    public const int MaxCodes = 16;

    /// <summary>The most distinct targets kept; the rest are only counted.</summary>
    public const int MaxTargets = 8;

    /// <summary>The longest target kept, in characters (paths come from the client).</summary>
    public const int MaxTargetLength = 100;

    private readonly Dictionary<string, long> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _targets = new(StringComparer.Ordinal);
    private long _otherCodes;
    private long _otherTargets;

    /// <summary>When the first refusal was counted.</summary>
    public DateTimeOffset First { get; private set; } = first;

    /// <summary>When the last refusal was counted.</summary>
    public DateTimeOffset Last { get; private set; } = first;

    /// <summary>How many refusals were counted.</summary>
    public long Count { get; private set; }

    /// <summary>Counts <paramref name="times"/> refusals with <paramref name="code"/> on <paramref name="target"/>.</summary>
    public void Add(string code, string target, DateTimeOffset at, long times = 1)
    {
        Count += times;
        First = at < First ? at : First;
        Last = at > Last ? at : Last;
        _otherCodes += Sample(_codes, code, MaxCodes, times);
        var clipped = target.Length <= MaxTargetLength ? target : string.Concat(target.AsSpan(0, MaxTargetLength - 1), "…");
        _otherTargets += Sample(_targets, clipped, MaxTargets, times);
    }

    /// <summary>Adds another tally's counts (an interval that could not be written is kept for the next).</summary>
    public void Merge(RefusalTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        First = other.First < First ? other.First : First;
        Last = other.Last > Last ? other.Last : Last;
        foreach (var (code, times) in other._codes)
        {
            _otherCodes += Sample(_codes, code, MaxCodes, times);
        }

        foreach (var (target, times) in other._targets)
        {
            _otherTargets += Sample(_targets, target, MaxTargets, times);
        }

        _otherCodes += other._otherCodes;
        _otherTargets += other._otherTargets;
    }

    /// <summary>The audit event's details: count, first and last, and the samples as <c>name=count</c> lists.</summary>
    public Dictionary<string, string> Details()
    {
        var details = new Dictionary<string, string>
        {
            ["count"] = Count.ToString(CultureInfo.InvariantCulture),
            ["first"] = First.ToString("O", CultureInfo.InvariantCulture),
            ["last"] = Last.ToString("O", CultureInfo.InvariantCulture),
            ["codes"] = Join(_codes),
            ["targets"] = Join(_targets),
        };
        if (_otherCodes > 0)
        {
            details["codes_other"] = _otherCodes.ToString(CultureInfo.InvariantCulture);
        }

        if (_otherTargets > 0)
        {
            details["targets_other"] = _otherTargets.ToString(CultureInfo.InvariantCulture);
        }

        return details;
    }

    // Counts into the sample while it has room (or the name is in it); returns what did not fit.
    private static long Sample(Dictionary<string, long> sample, string name, int max, long times)
    {
        if (sample.TryGetValue(name, out var seen))
        {
            sample[name] = seen + times;
            return 0;
        }

        if (sample.Count >= max)
        {
            return times;
        }

        sample[name] = times;
        return 0;
    }

    // "key=count;…". A key is a path the client chose: '%', ';' and '=' in it are percent-encoded, so a path cannot
    // forge another entry or a count (found by review: /x=4000;proxy.denied%20admins).
    private static string Join(Dictionary<string, long> sample) =>
        string.Join(';', sample.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Select(s => string.Create(CultureInfo.InvariantCulture, $"{Escape(s.Key)}={s.Value}")));

    private static string Escape(string key) =>
        key.Replace("%", "%25", StringComparison.Ordinal).Replace(";", "%3B", StringComparison.Ordinal).Replace("=", "%3D", StringComparison.Ordinal);
}
