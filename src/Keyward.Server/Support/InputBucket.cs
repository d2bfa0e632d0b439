namespace Keyward.Server.Support;

/// <summary>
/// The rate limit on one viewer's input (<see cref="SupportOptions.ViewerInputBytesPerSecond"/>): a token bucket of
/// bytes that refills at the rate and holds at most one second of it. <see cref="TakeAsync"/> waits (on the
/// <see cref="TimeProvider"/>) until the bytes are there, so a fast viewer is slowed, not cut off, and Keyward reads
/// no more of its socket meanwhile (backpressure through TCP). One reader per bucket.
/// </summary>
internal sealed class InputBucket(long bytesPerSecond, TimeProvider time)
{
    private double _tokens = bytesPerSecond;
    private long _last = time.GetTimestamp();

    /// <summary>Bytes that may be sent now without waiting.</summary>
    public long Available
    {
        get
        {
            Refill();
            return (long)_tokens;
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> may be sent, and takes them.</summary>
    public async ValueTask TakeAsync(int bytes, CancellationToken cancellationToken)
    {
        Refill();
        _tokens -= bytes;
        if (_tokens < 0)
        {
            // A message larger than the bucket still passes: it waits for the whole deficit.
            var wait = TimeSpan.FromSeconds(-_tokens / bytesPerSecond);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            Refill();
        }
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        var elapsed = time.GetElapsedTime(_last, now);
        _last = now;
        _tokens = Math.Min(bytesPerSecond, _tokens + (elapsed.TotalSeconds * bytesPerSecond));
    }
}
