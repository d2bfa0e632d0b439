using Keyward.Server.Limits;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Bounds support-code guessing (issue 11, item 3) without a lockout an attacker could turn on real users. Two limits:
/// <list type="bullet">
/// <item>per client address group (an IPv4 address, an IPv6 /64): <see cref="SupportOptions.CodeChecksPerAddressPerMinute"/>
/// checks in each minute window;</item>
/// <item>across all addresses: a token bucket of <see cref="SupportOptions.CodeFailuresPerMinute"/> wrong guesses,
/// refilled at that rate. A check takes a token first (so concurrent guesses cannot overdraw it); a right code gives it
/// back.</item>
/// </list>
/// With the global bucket empty, the first check of each address group in a minute window is still made (for at most
/// <see cref="MaxFirstChecksPerWindow"/> groups per window), so a flood that keeps the bucket empty cannot keep a real
/// agent out. A wrong guess is tied to no code: no code is ever locked. The bound (docs/remote-support.md): at most
/// (CodeFailuresPerMinute + MaxFirstChecksPerWindow) wrong guesses per minute, whatever the number of addresses.
/// On one node (SQLite) the counts are this process's; on PostgreSQL (<see cref="IClusterCounters.Shared"/>) the
/// per-group windows, the bucket and the first checks are the cluster's (issue 13, item 4), so the bound holds for the
/// cluster, not per node. When the shared counters cannot be read, the check is refused (503 <c>storage_busy</c>).
/// </summary>
internal sealed class SupportCodeLimiter(IOptions<SupportOptions> options, TimeProvider time, IClusterCounters counters)
{
    private const string Bucket = "support.bucket";

    /// <summary>How many address groups get a first check past an empty bucket in one minute window.</summary>
    public const int MaxFirstChecksPerWindow = 10_000;

    /// <summary>How many address groups are counted in one window; beyond, new groups have only the global bucket.</summary>
    public const int MaxTrackedGroups = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _checks = new(StringComparer.Ordinal);
    private long _window = -1;
    private int _firstChecks;
    private double _tokens = options.Value.CodeFailuresPerMinute;
    private long _refilledAt = time.GetTimestamp();

    private double Capacity => options.Value.CodeFailuresPerMinute;

    /// <summary>
    /// Allows one check from <paramref name="addressGroup"/>, or refuses it with the wait until it could be made and
    /// whether it is this group's first refusal in the window (the one that is audited).
    /// </summary>
    public SupportCodeCheck TryReserve(string addressGroup)
    {
        ArgumentNullException.ThrowIfNull(addressGroup);
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var window = now.ToUnixTimeMilliseconds() / 60_000;
            if (window != _window)
            {
                (_window, _firstChecks) = (window, 0);
                _checks.Clear();
            }

            var untilNextWindow = TimeSpan.FromMilliseconds(((window + 1) * 60_000) - now.ToUnixTimeMilliseconds());
            var tracked = _checks.TryGetValue(addressGroup, out var made) || _checks.Count < MaxTrackedGroups;
            if (made >= options.Value.CodeChecksPerAddressPerMinute)
            {
                _checks[addressGroup] = made + 1;
                return new SupportCodeCheck(SupportCodeAllowance.Refused, untilNextWindow, FirstRefusal: made == options.Value.CodeChecksPerAddressPerMinute);
            }

            if (tracked)
            {
                _checks[addressGroup] = made + 1;
            }

            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return new SupportCodeCheck(SupportCodeAllowance.Token, TimeSpan.Zero, false);
            }

            if (tracked && made == 0 && _firstChecks < MaxFirstChecksPerWindow)
            {
                _firstChecks++;
                return new SupportCodeCheck(SupportCodeAllowance.FirstFromAddress, TimeSpan.Zero, false);
            }

            var perToken = TimeSpan.FromMinutes(1) / Capacity;
            return new SupportCodeCheck(SupportCodeAllowance.Refused, perToken * (1 - _tokens), FirstRefusal: made == 0 || !tracked);
        }
    }

    /// <summary><see cref="TryReserve"/> for the cluster: the same rules on counters every node shares (PostgreSQL).</summary>
    public async ValueTask<SupportCodeCheck> TryReserveAsync(string addressGroup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addressGroup);
        if (!counters.Shared)
        {
            return TryReserve(addressGroup);
        }

        var minute = TimeSpan.FromMinutes(1);
        var checks = await counters.AddAsync(CounterKey.Hashed("support.checks", addressGroup), 1, minute, cancellationToken: cancellationToken).ConfigureAwait(false);
        var made = checks.Total - 1;
        if (made >= options.Value.CodeChecksPerAddressPerMinute)
        {
            return new SupportCodeCheck(SupportCodeAllowance.Refused, checks.Left, FirstRefusal: made == options.Value.CodeChecksPerAddressPerMinute);
        }

        var take = await counters.TakeAsync(Bucket, Capacity, cancellationToken).ConfigureAwait(false);
        if (take.Taken)
        {
            return new SupportCodeCheck(SupportCodeAllowance.Token, TimeSpan.Zero, false);
        }

        if (made == 0 && (await counters.AddAsync("support.firsts", 1, minute, checks.Window, cancellationToken).ConfigureAwait(false)).Total <= MaxFirstChecksPerWindow)
        {
            return new SupportCodeCheck(SupportCodeAllowance.FirstFromAddress, TimeSpan.Zero, false);
        }

        return new SupportCodeCheck(SupportCodeAllowance.Refused, minute / Capacity * (1 - take.Tokens), FirstRefusal: made == 0);
    }

    /// <summary><see cref="Refund"/> for the cluster: gives the token back to the shared bucket on PostgreSQL.</summary>
    public async ValueTask RefundAsync(SupportCodeCheck check, CancellationToken cancellationToken = default)
    {
        if (!counters.Shared)
        {
            Refund(check);
        }
        else if (check.Allowance == SupportCodeAllowance.Token)
        {
            await counters.GiveBackAsync(Bucket, Capacity, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives a taken token back: the code was right, so the check cost no guess.</summary>
    public void Refund(SupportCodeCheck check)
    {
        if (check.Allowance != SupportCodeAllowance.Token)
        {
            return;
        }

        lock (_lock)
        {
            _tokens = Math.Min(Capacity, _tokens + 1);
        }
    }

    // Under _lock: adds the tokens earned since the last refill, up to the bucket's size.
    private void Refill()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(Capacity, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalMinutes * Capacity));
        _refilledAt = now;
    }
}
