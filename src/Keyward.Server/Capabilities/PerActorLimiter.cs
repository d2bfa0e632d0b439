namespace Keyward.Server.Capabilities;

/// <summary>
/// A per-actor limit in memory per node: a fixed one-minute window on the injected clock, counted per actor id, so one
/// actor's flood neither starves the others nor grows the audit log without bound. Only actors that proved who they are
/// are counted, so the table holds at most one entry per live actor; it is emptied as each new window begins.
/// </summary>
internal abstract class PerActorLimiter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, int> _counts = [];
    private long _window = long.MinValue;

    /// <summary>How many requests one actor may make per window.</summary>
    protected abstract int Permits { get; }

    /// <summary>True when <paramref name="actorId"/> may go on now (and counts it); otherwise false and how long until the next window.</summary>
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
            if (count >= Permits)
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
