using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Keyward.Server.Http;

/// <summary>
/// This host's instruments in the Prometheus text exposition format (version 0.0.4), read with a
/// <see cref="MeterListener"/> that enables only instruments whose meter came from this host's
/// <see cref="IMeterFactory"/> (the factory stamps itself as the meter's scope): the <c>Keyward</c> meter and ASP.NET
/// Core's and Kestrel's. Counters become <c>_total</c> counters, up-down counters and observable gauges gauges,
/// histograms cumulative buckets (the instrument's advised boundaries, else Prometheus' defaults). The number of
/// series is capped, so a tag with unexpected values cannot grow memory without bound.
/// </summary>
internal sealed partial class PrometheusText : IDisposable
{
    /// <summary>The most series kept; measurements for further tag combinations are dropped (and counted).</summary>
    public const int MaxSeries = 10_000;

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly Lock _collect = new();
    private long _dropped;

    public PrometheusText(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument, new KnownTags());
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, m, tags, state) => Record(i, m, tags, state));
        _listener.SetMeasurementEventCallback<int>((i, m, tags, state) => Record(i, m, tags, state));
        _listener.SetMeasurementEventCallback<double>((i, m, tags, state) => Record(i, m, tags, state));
        _listener.Start();
    }

    /// <summary>Writes every series, after reading the observable instruments.</summary>
    public string Collect()
    {
        var text = new StringBuilder();
        lock (_collect)
        {
            _listener.RecordObservableInstruments();
            foreach (var family in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Meter.Name, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var instrument = family.Key;
                var name = MetricName(instrument);
                var type = Kind(instrument);
                text.Append("# HELP ").Append(name).Append(' ').Append(Escape(instrument.Description ?? instrument.Name, quotes: false)).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
                foreach (var (key, series) in family.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
                {
                    series.Write(text, name, key.Labels);
                }
            }
        }

        text.Append("# HELP keyward_metrics_series_dropped_total Measurements dropped because the series cap was reached.\n")
            .Append("# TYPE keyward_metrics_series_dropped_total counter\n")
            .Append("keyward_metrics_series_dropped_total ").Append(Interlocked.Read(ref _dropped).ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    // Hot: Kestrel's memory pool counts every block it rents and returns, so a relay records thousands of measurements
    // per MB. A tag set seen before finds its series without building the label text (no allocation); a new one takes
    // the slow path once.
    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var known = state as KnownTags;
        if (known?.Find(tags) is not { } series)
        {
            var labels = Labels(tags);
            if (!_series.TryGetValue((instrument, labels), out series))
            {
                if (_series.Count >= MaxSeries)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }

                series = _series.GetOrAdd((instrument, labels), _ => Series.For(instrument));
            }

            known?.Remember(tags, series);
        }

        series.Record(value);
    }

    private static string Kind(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => "counter",
        Histogram<long> or Histogram<int> or Histogram<double> => "histogram",
        _ => "gauge",
    };

    private static string MetricName(Instrument instrument)
    {
        var name = Sanitize(instrument.Name);
        if (instrument.Unit is "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        return Kind(instrument) == "counter" ? name + "_total" : name;
    }

    // Tags sorted by name, as name="value" pairs joined by commas: the series key and its label text at once.
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitize(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return string.Join(',', pairs.Select(p => $"{p.Name}=\"{Escape(p.Value, quotes: true)}\""));
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_') || (i == 0 && char.IsAsciiDigit(chars[i])))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string Escape(string value, bool quotes)
    {
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return quotes ? escaped.Replace("\"", "\\\"", StringComparison.Ordinal) : escaped;
    }

    private static string Number(double value) => double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One series: a running sum (counters, up-down counters), a last value (observable gauges) or buckets.</summary>
    private abstract class Series
    {
        public static Series For(Instrument instrument) => instrument switch
        {
            Histogram<double> h => new HistogramSeries(h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised ? [.. advised] : DefaultBuckets),
            Histogram<long> h => new HistogramSeries(h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised ? [.. advised.Select(b => (double)b)] : DefaultBuckets),
            Histogram<int> h => new HistogramSeries(h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised ? [.. advised.Select(b => (double)b)] : DefaultBuckets),
            ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
                or ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double> => new LastValueSeries(),
            _ => new SumSeries(),
        };

        public abstract void Record(double value);

        public abstract void Write(StringBuilder text, string name, string labels);

        protected static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }

    // Hot: Kestrel's memory pool records into a sum on every block rented and returned (several per proxied request).
    // An atomic add instead of a lock: issue 15's profile of the proxied request showed the lock's enter and exit as
    // most of the listener's cost. One value, so a reader needs no lock either.
    private sealed class SumSeries : Series
    {
        private double _sum;

        public override void Record(double value)
        {
            var current = Volatile.Read(ref _sum);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _sum, current + value, current);
                if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public override void Write(StringBuilder text, string name, string labels) => Line(text, name, labels, Volatile.Read(ref _sum));
    }

    private sealed class LastValueSeries : Series
    {
        private double _value;

        public override void Record(double value) => Volatile.Write(ref _value, value);

        public override void Write(StringBuilder text, string name, string labels) => Line(text, name, labels, Volatile.Read(ref _value));
    }

    private sealed class HistogramSeries(double[] bounds) : Series
    {
        private readonly Lock _lock = new();
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;

        public override void Record(double value)
        {
            var bucket = Array.BinarySearch(bounds, value);
            bucket = bucket >= 0 ? bucket : ~bucket;
            lock (_lock)
            {
                _counts[bucket]++;
                _sum += value;
            }
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            lock (_lock)
            {
                var prefix = labels.Length > 0 ? labels + "," : string.Empty;
                long cumulative = 0;
                for (var i = 0; i <= bounds.Length; i++)
                {
                    cumulative += _counts[i];
                    Line(text, name + "_bucket", prefix + "le=\"" + Number(i < bounds.Length ? bounds[i] : double.PositiveInfinity) + "\"", cumulative);
                }

                Line(text, name + "_sum", labels, _sum);
                Line(text, name + "_count", labels, cumulative);
            }
        }
    }
}
