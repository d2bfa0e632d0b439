using Keyward.LoadBench.Load;

namespace Keyward.LoadBench.Reporting;

/// <summary>
/// requests/s of one target over another, per round (runs of the same round are seconds apart, so slow machine
/// noise mostly cancels), and the median of those per-round ratios.
/// </summary>
internal sealed record PairedRatio(string Numerator, string Denominator, double Median, IReadOnlyList<double> PerRound)
{
    public static PairedRatio Of(string numerator, string denominator, IReadOnlyCollection<RunSample> samples)
    {
        var perRound = samples.GroupBy(s => s.Round).OrderBy(g => g.Key)
            .Select(g => (Top: g.Single(s => s.Target == numerator).Result.RequestsPerSecond, Bottom: g.Single(s => s.Target == denominator).Result.RequestsPerSecond))
            .Where(p => p.Bottom > 0)
            .Select(p => p.Top / p.Bottom)
            .ToList();
        return new PairedRatio(numerator, denominator, Percentiles.Median(perRound), perRound);
    }
}
