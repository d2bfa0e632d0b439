using Keyward.LoadBench.Load;

namespace Keyward.LoadBench.Reporting;

/// <summary>A target's medians over the measured rounds, with the spread of requests/s.</summary>
internal sealed record TargetSummary(
    Target Target,
    double RequestsPerSecond,
    double MinRequestsPerSecond,
    double MaxRequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    double BenchMicroseconds,
    double ExternalMicroseconds,
    double CounterMicroseconds,
    double? MachineBusy,
    double Ours,
    long Failed)
{
    public static TargetSummary From(Target target, IReadOnlyCollection<RunSample> samples)
    {
        var busy = samples.Select(s => s.Cpu.MachineBusy).OfType<double>().ToList();
        return new TargetSummary(
            target,
            Percentiles.Median(samples.Select(s => s.Result.RequestsPerSecond)),
            samples.Min(s => s.Result.RequestsPerSecond),
            samples.Max(s => s.Result.RequestsPerSecond),
            Percentiles.Median(samples.Select(s => s.Result.P50Milliseconds)),
            Percentiles.Median(samples.Select(s => s.Result.P99Milliseconds)),
            Percentiles.Median(samples.Select(s => s.BenchMicroseconds)),
            Percentiles.Median(samples.Select(s => s.ExternalMicroseconds)),
            Percentiles.Median(samples.Select(s => s.CounterMicroseconds)),
            busy.Count > 0 ? Percentiles.Median(busy) : null,
            Percentiles.Median(samples.Select(s => s.Cpu.Ours)),
            samples.Sum(s => s.Result.Failed));
    }
}
