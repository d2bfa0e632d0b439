using System.Diagnostics.Metrics;
using System.Text;
using Keyward.Server.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests;

/// <summary>
/// <see cref="PrometheusText"/>'s series: measurements with the same tags add up in one series whichever order the
/// tags come in (the fast path that skips building label text must not split or merge series), and a tag value that
/// can change is read afresh each time.
/// </summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Record_SameTagsRepeatedAndReordered_AddUpInOneSeries_OtherValuesInTheirOwn()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var text = new PrometheusText(meters);
        var counter = meters.Create("Test").CreateCounter<long>("test.blocks");

        for (var i = 0; i < 40; i++)
        {
            counter.Add(1, new("owner", "kestrel"), new("kind", "rented"));
        }

        counter.Add(2, new("kind", "rented"), new("owner", "kestrel"));
        counter.Add(5, new("owner", "other"), new("kind", "rented"));
        counter.Add(7);
        var collected = text.Collect();

        Assert.Contains("test_blocks_total{kind=\"rented\",owner=\"kestrel\"} 42\n", collected, StringComparison.Ordinal);
        Assert.Contains("test_blocks_total{kind=\"rented\",owner=\"other\"} 5\n", collected, StringComparison.Ordinal);
        Assert.Contains("test_blocks_total 7\n", collected, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_ATagValueThatChangesInPlace_IsLabelledAsItIsAtEachMeasurement()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var text = new PrometheusText(meters);
        var counter = meters.Create("Test").CreateCounter<long>("test.changing");
        var value = new StringBuilder("first");

        counter.Add(1, new KeyValuePair<string, object?>("state", value));
        value.Clear().Append("second");
        counter.Add(1, new KeyValuePair<string, object?>("state", value));
        var collected = text.Collect();

        Assert.Contains("test_changing_total{state=\"first\"} 1\n", collected, StringComparison.Ordinal);
        Assert.Contains("test_changing_total{state=\"second\"} 1\n", collected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_FromManyThreadsAtOnce_LosesNoMeasurement()
    {
        // The sum is added to without a lock (a compare-and-swap loop): every concurrent add must still land.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var text = new PrometheusText(meters);
        var counter = meters.Create("Test").CreateCounter<long>("test.concurrent");
        var upDown = meters.Create("Test").CreateUpDownCounter<double>("test.level");
        using var start = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 20_000; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("kind", "rented"));
                upDown.Add(0.5);
                upDown.Add(-0.25);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(workers);
        var collected = text.Collect();

        Assert.Contains("test_concurrent_total{kind=\"rented\"} 160000\n", collected, StringComparison.Ordinal);
        Assert.Contains("test_level 40000\n", collected, StringComparison.Ordinal);
    }
}
