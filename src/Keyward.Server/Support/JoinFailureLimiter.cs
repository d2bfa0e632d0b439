using Keyward.Server.Limits;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Bounds what refused join tokens cost the database (review11b finding 8). A join token's shape check is a public
/// checksum, so well-formed forgeries are free, and each one redeemed costs a conditional UPDATE and a SELECT (on SQLite
/// the UPDATE takes the one write lock even when it matches no row). Per client address group (an IPv4 address, an IPv6
/// /64), at most <see cref="SupportOptions.JoinFailuresPerAddressPerMinute"/> redemptions may fail in each minute window;
/// past that the group is refused before the database (429 <c>join_rate_limited</c>) until the window ends.
/// <para>
/// Only failures count: a redemption reserves a place first (so concurrent forgeries cannot overdraw it) and a token that
/// redeems gives it back. A technician opening terminal after terminal with the tokens Keyward minted never meets the
/// limit, and an attacker elsewhere cannot spend another group's places; only a flood from the technician's own address
/// group (the same NAT) can hold the technician back, for the rest of a minute. Groups beyond
/// <see cref="MaxTrackedGroups"/> in a window are not counted (no lockout of a group the limiter could not remember).
/// On one node (SQLite) the counts are this process's. On PostgreSQL (<see cref="IClusterCounters.Shared"/>) this node's
/// count is checked first (a group it already refuses costs the database nothing) and then the cluster's, so N nodes
/// allow no more failures per group than one (issue 13, item 4); when the shared count cannot be read, the redemption
/// is refused (503 <c>storage_busy</c>).
/// </para>
/// </summary>
internal sealed class JoinFailureLimiter(IOptions<SupportOptions> options, TimeProvider time, IClusterCounters? counters = null)
{
    /// <summary>How many address groups are counted in one window; beyond, new groups are not limited.</summary>
    public const int MaxTrackedGroups = 100_000;

    private const string SharedName = "join.failures";

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private long _window = -1;

    /// <summary>
    /// Reserves one redemption for <paramref name="addressGroup"/>: null when it may go ahead (then call
    /// <see cref="Refund"/> if the token redeems), else the wait until the group's window ends.
    /// </summary>
    public TimeSpan? TryReserve(string addressGroup)
    {
        ArgumentNullException.ThrowIfNull(addressGroup);
        lock (_lock)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var window = now / 60_000;
            if (window != _window)
            {
                _window = window;
                _failures.Clear();
            }

            if (_failures.TryGetValue(addressGroup, out var failed))
            {
                if (failed >= options.Value.JoinFailuresPerAddressPerMinute)
                {
                    return TimeSpan.FromMilliseconds(((window + 1) * 60_000) - now);
                }

                _failures[addressGroup] = failed + 1;
            }
            else if (_failures.Count < MaxTrackedGroups)
            {
                _failures[addressGroup] = 1;
            }

            return null;
        }
    }

    /// <summary>
    /// <see cref="TryReserve"/>, then (PostgreSQL) the cluster's count for the group in this minute. Returns the wait
    /// (null: go ahead) and the cluster's window the place was reserved in, to hand to <see cref="RefundAsync"/>.
    /// </summary>
    public async ValueTask<(TimeSpan? Wait, long? Window)> TryReserveAsync(string addressGroup, CancellationToken cancellationToken = default)
    {
        var wait = TryReserve(addressGroup);
        if (wait is not null || counters is not { Shared: true })
        {
            return (wait, null);
        }

        var key = CounterKey.Hashed(SharedName, addressGroup);
        var made = await counters.AddAsync(key, 1, Minute, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (made.Total <= options.Value.JoinFailuresPerAddressPerMinute)
        {
            return (null, made.Window);
        }

        // Over the cluster's limit: not a failure made, so neither count keeps it.
        Refund(addressGroup);
        await counters.AddAsync(key, -1, Minute, made.Window, cancellationToken).ConfigureAwait(false);
        return (made.Left, null);
    }

    /// <summary>
    /// <see cref="Refund"/>, and (PostgreSQL) the cluster's place too, in the <paramref name="window"/> it was reserved
    /// in: a refund after the minute turned must not leave −1 (an extra guess) in the next one.
    /// </summary>
    public async ValueTask RefundAsync(string addressGroup, long? window, CancellationToken cancellationToken = default)
    {
        Refund(addressGroup);
        if (counters is { Shared: true } && window is { } reserved)
        {
            await counters.AddAsync(CounterKey.Hashed(SharedName, addressGroup), -1, Minute, reserved, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives a reserved place back: the token redeemed, so the attempt was no failure.</summary>
    public void Refund(string addressGroup)
    {
        ArgumentNullException.ThrowIfNull(addressGroup);
        lock (_lock)
        {
            if (_failures.TryGetValue(addressGroup, out var failed) && failed > 0)
            {
                _failures[addressGroup] = failed - 1;
            }
        }
    }
}
