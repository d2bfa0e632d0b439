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
/// Process-local: each node counts its own.
/// </para>
/// </summary>
internal sealed class JoinFailureLimiter(IOptions<SupportOptions> options, TimeProvider time)
{
    /// <summary>How many address groups are counted in one window; beyond, new groups are not limited.</summary>
    public const int MaxTrackedGroups = 100_000;

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
