namespace Keyward.Agent.Runtime;

/// <summary>
/// The wait before the next connection attempt: exponential from <see cref="BackoffOptions.Initial"/>, capped at
/// <see cref="BackoffOptions.Max"/>, with "equal jitter" (half the step fixed, half random) so that many agents that
/// lost Keyward at once do not come back in step, yet none retries at once. <see cref="Reset"/> after a stable connection.
/// </summary>
internal sealed class ReconnectBackoff(BackoffOptions options, Random random)
{
    private int _failures;

    /// <summary>The failures since the last reset.</summary>
    public int Failures => _failures;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var step = Math.Min(options.Max.TotalMilliseconds, options.Initial.TotalMilliseconds * Math.Pow(2, exponent));
        var half = step / 2;
        return TimeSpan.FromMilliseconds(half + (random.NextDouble() * half));
    }

    public void Reset() => _failures = 0;
}
