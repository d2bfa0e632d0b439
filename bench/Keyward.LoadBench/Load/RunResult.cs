namespace Keyward.LoadBench.Load;

/// <summary>What one timed run against one target measured. Latencies are of successful requests only.</summary>
internal sealed record RunResult(long Succeeded, long Failed, TimeSpan Elapsed, double P50Milliseconds, double P99Milliseconds, string? FirstError)
{
    public double RequestsPerSecond => Elapsed > TimeSpan.Zero ? Succeeded / Elapsed.TotalSeconds : 0;
}
