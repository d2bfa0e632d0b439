namespace Keyward.Server.WebSockets;

/// <summary>
/// A token bucket per connection: <c>rate</c> messages per second with a burst of <c>rate</c>. Used by one reader
/// only, so it needs no lock. Time comes from the <see cref="TimeProvider"/>'s timestamp.
/// </summary>
internal sealed class InboundRateLimiter(int ratePerSecond, TimeProvider time)
{
    private double _tokens = ratePerSecond;
    private long _last = time.GetTimestamp();

    /// <summary>Takes one token; false when the bucket is empty (the rate was exceeded).</summary>
    public bool TryAcquire()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(ratePerSecond, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * ratePerSecond));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
