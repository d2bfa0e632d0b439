using Keyward.Server.Limits;
using Keyward.Server.Sessions;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Registration;

/// <summary>
/// The global limit on setup-code guesses (issue 16, item 12). One code exists at a time, so a per-address limit alone
/// lets rotating addresses guess freely. A token bucket of <see cref="SignInOptions.SetupCodeFailuresPerMinute"/> tokens,
/// refilled at that rate: each check takes one first (so concurrent guesses cannot overdraw it), a right code gives it
/// back, a wrong one spends it. With the bucket empty a code is refused before it is checked, with the wait until the
/// next token (at most 60 s / rate). Except: the first check from each client address group (an IPv4 address, an IPv6
/// /64) is made even with the bucket empty, for the first <see cref="MaxFirstChecks"/> groups, so a flood that keeps the
/// bucket empty cannot keep the real admin's first try out (found by review: an attacker taking every refilled token
/// blocked setup and break-glass). Over a code's lifetime L at most rate × (L + 1 min) + 10,000 codes are checked,
/// whatever the number of addresses (docs/security.md).
/// <para>
/// On PostgreSQL (<see cref="IClusterCounters.Shared"/>) the bucket and the first checks are the cluster's, not the
/// node's (issue 13, item 4): the same algorithm on shared rows, so N nodes check no more codes than one. The first
/// checks are counted per window of <see cref="SignInOptions.SetupCodeLifetime"/>, so one code's life sees at most
/// 2 × <see cref="MaxFirstChecks"/>. When the shared counters cannot be read, the check is refused (503
/// <c>storage_busy</c>), never made unlimited.
/// </para>
/// </summary>
internal sealed class SetupCodeLimiter(IOptions<SignInOptions> options, TimeProvider time, IClusterCounters counters)
{
    private const string Bucket = "setup.bucket";

    /// <summary>How many address groups get their first check past an empty bucket, per process.</summary>
    public const int MaxFirstChecks = 10_000;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);
    private double _tokens = options.Value.SetupCodeFailuresPerMinute;
    private long _refilledAt = time.GetTimestamp();

    private double Capacity => options.Value.SetupCodeFailuresPerMinute;

    /// <summary>
    /// Allows one check from <paramref name="addressGroup"/>: <see cref="SetupCodeCheck.Token"/> when a token was taken,
    /// <see cref="SetupCodeCheck.FirstFromAddress"/> when the bucket is empty but this group never checked a code before,
    /// otherwise a refusal with how long until a token is free.
    /// </summary>
    public (SetupCodeCheck Check, TimeSpan Wait) TryReserve(string addressGroup)
    {
        lock (_lock)
        {
            var first = _checked.Count < MaxFirstChecks && _checked.Add(addressGroup);
            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return (SetupCodeCheck.Token, TimeSpan.Zero);
            }

            if (first)
            {
                return (SetupCodeCheck.FirstFromAddress, TimeSpan.Zero);
            }

            var perToken = TimeSpan.FromMinutes(1) / Capacity;
            return (SetupCodeCheck.Refused, perToken * (1 - _tokens));
        }
    }

    /// <summary>
    /// <see cref="TryReserve"/> for the cluster: on PostgreSQL the bucket and the first checks are shared by every node;
    /// on one node it is <see cref="TryReserve"/>.
    /// </summary>
    public async ValueTask<(SetupCodeCheck Check, TimeSpan Wait)> TryReserveAsync(string addressGroup, CancellationToken cancellationToken = default)
    {
        if (!counters.Shared)
        {
            return TryReserve(addressGroup);
        }

        var lifetime = options.Value.SetupCodeLifetime;

        // As in memory: whether this group is new is settled first, whatever the bucket holds.
        var group = await counters.AddAsync(CounterKey.Hashed("setup.first", addressGroup), 1, lifetime, cancellationToken: cancellationToken).ConfigureAwait(false);
        var first = group.Total == 1
            && (await counters.AddAsync("setup.firsts", 1, lifetime, group.Window, cancellationToken).ConfigureAwait(false)).Total <= MaxFirstChecks;
        var take = await counters.TakeAsync(Bucket, Capacity, cancellationToken).ConfigureAwait(false);
        if (take.Taken)
        {
            return (SetupCodeCheck.Token, TimeSpan.Zero);
        }

        return first
            ? (SetupCodeCheck.FirstFromAddress, TimeSpan.Zero)
            : (SetupCodeCheck.Refused, TimeSpan.FromMinutes(1) / Capacity * (1 - take.Tokens));
    }

    /// <summary><see cref="Refund"/> for the cluster: gives the token back to the shared bucket on PostgreSQL.</summary>
    public async ValueTask RefundAsync(SetupCodeCheck check, CancellationToken cancellationToken = default)
    {
        if (!counters.Shared)
        {
            Refund(check);
        }
        else if (check == SetupCodeCheck.Token)
        {
            await counters.GiveBackAsync(Bucket, Capacity, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives a taken token back: the code was right, so the check cost no guess.</summary>
    public void Refund(SetupCodeCheck check)
    {
        if (check != SetupCodeCheck.Token)
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
        var earned = time.GetElapsedTime(_refilledAt, now).TotalMinutes * Capacity;
        _tokens = Math.Min(Capacity, _tokens + earned);
        _refilledAt = now;
    }
}
