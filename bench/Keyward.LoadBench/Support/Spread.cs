using System.Globalization;

namespace Keyward.LoadBench.Support;

/// <summary>Median, nearest-rank percentiles and range of a set of figures, for the reports.</summary>
internal sealed record Spread(double Median, double Min, double Max, double P50, double P90, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Spread(0, 0, 0, 0, 0, 0);
        }

        double Rank(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Spread(Load.Percentiles.Median(sorted), sorted[0], sorted[^1], Rank(0.5), Rank(0.9), sorted.Length);
    }

    public string Format(string format) => string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})");
}
