using Keyward.Server.Sessions;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Registration;

/// <summary>
/// The global limit on setup-code guesses (issue 16, item 12). One code exists at a time, so a per-address limit alone
/// lets rotating addresses guess freely. A token bucket of <see cref="SignInOptions.SetupCodeFailuresPerMinute"/> tokens,
/// refilled at that rate: each check takes one first (so concurrent guesses cannot overdraw it), a right code gives it
/// back, a wrong one spends it. With the bucket empty a code is refused before it is checked, with the wait until the
/// next token (at most 60 s / rate). So over a code's lifetime L at most rate × (L + 1 min) codes are checked, whatever
/// the number of addresses; the real admin is never locked out, only made to wait seconds (docs/security.md).
/// </summary>
internal sealed class SetupCodeLimiter(IOptions<SignInOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = options.Value.SetupCodeFailuresPerMinute;
    private long _refilledAt = time.GetTimestamp();

    private double Capacity => options.Value.SetupCodeFailuresPerMinute;

    /// <summary>Takes a token for one check: null when taken, otherwise how long until one is free.</summary>
    public TimeSpan? TryReserve()
    {
        lock (_lock)
        {
            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return null;
            }

            var perToken = TimeSpan.FromMinutes(1) / Capacity;
            return perToken * (1 - _tokens);
        }
    }

    /// <summary>Gives the token back: the code was right, so the check cost no guess.</summary>
    public void Refund()
    {
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
