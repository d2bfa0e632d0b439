using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>
/// The per-actor limit on minting (<see cref="CapabilityOptions.MintsPerActorPerMinute"/>; in memory per node): a fixed
/// one-minute window on the injected clock, counted per actor id, so one actor's flood of mints (each a scope lookup and
/// an audit event) neither starves the others nor grows the log without bound. Only authenticated actors are counted,
/// so the table holds at most one entry per live actor; entries of past windows are dropped as new windows begin.
/// </summary>
internal sealed class MintLimiter(IOptions<CapabilityOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, int> _counts = [];
    private long _window = long.MinValue;

    /// <summary>True when <paramref name="actorId"/> may mint now (and counts it); otherwise false and how long until the next window.</summary>
    public bool TryAcquire(Guid actorId, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        var window = now.UtcTicks / Window.Ticks;
        lock (_lock)
        {
            if (window != _window)
            {
                _window = window;
                _counts.Clear();
            }

            var count = _counts.GetValueOrDefault(actorId);
            if (count >= options.Value.MintsPerActorPerMinute)
            {
                retryAfter = TimeSpan.FromTicks(((window + 1) * Window.Ticks) - now.UtcTicks);
                return false;
            }

            _counts[actorId] = count + 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }
}
