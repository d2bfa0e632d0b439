namespace Keyward.LoadBench.Load;

/// <summary>Nearest-rank percentiles and medians.</summary>
internal static class Percentiles
{
    /// <summary>The nearest-rank <paramref name="q"/>-quantile of an ascending array (0 when empty).</summary>
    public static long Of(long[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The median; the mean of the middle two for an even count (0 when empty).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
