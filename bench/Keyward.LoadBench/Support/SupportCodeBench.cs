using System.Diagnostics;
using System.Globalization;

namespace Keyward.LoadBench.Support;

/// <summary>
/// Support code consume under contention (issue 11, "Speed" 3): each round an ad-hoc support session is opened and
/// <c>--binders</c> agents present its code on <c>/agent/v1/connect</c> at the same instant (their TLS connections and
/// requests ready but for the last byte). Exactly one must be upgraded (101) and every other refused 401
/// <c>support_code_invalid</c>, every round; anything else fails the bench. Each binder has its own loopback address;
/// the code-check limits are raised to their maxima for the run, which the report says.
/// </summary>
internal static class SupportCodeBench
{
    public static async Task<int> RunAsync(SupportBenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        await using var bed = await SupportBed.StartAsync(log, new Dictionary<string, string>
        {
            ["Keyward:Support:CodeChecksPerAddressPerMinute"] = "600",
            ["Keyward:Support:CodeFailuresPerMinute"] = "6000",
            ["Keyward:Support:MaxSessionsPerAccount"] = "1000",
        }, cancellationToken);
        var technician = await bed.AdminAsync();
        var times = new List<double>();
        var prepare = new List<double>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            var (session, code) = await bed.OpenSessionAsync(technician, machine: null);
            var clock = Stopwatch.StartNew();
            var binders = await Task.WhenAll(Enumerable.Range(0, settings.Binders)
                .Select(i => RawUpgrade.PrepareAsync(Binder(i), bed.Keyward.Port, bed.Keyward.CaFile, code!, cancellationToken)));
            prepare.Add(clock.Elapsed.TotalMilliseconds);
            try
            {
                clock.Restart();
                var answers = await Task.WhenAll(binders.Select(b => b.FireAsync(cancellationToken)));
                var elapsed = clock.Elapsed.TotalMilliseconds;
                var winners = answers.Count(a => a.Status == 101);
                var losers = answers.Count(a => a.Status == 401 && a.Body.Contains("\"support_code_invalid\"", StringComparison.Ordinal));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}/{settings.Rounds}: {winners} winner, {losers} refused support_code_invalid, in {elapsed:N1} ms"));
                if (winners != 1 || losers != settings.Binders - 1)
                {
                    var other = answers.Where(a => a.Status != 101 && !(a.Status == 401 && a.Body.Contains("\"support_code_invalid\"", StringComparison.Ordinal))).Select(a => $"{a.Status} {a.Body}").FirstOrDefault();
                    log.WriteLine($"FAILED: round {round + 1} had {winners} winners of one code (must be exactly 1) and {settings.Binders - winners - losers} other answers; first other: {other}");
                    return 1;
                }

                times.Add(elapsed);
            }
            finally
            {
                foreach (var binder in binders)
                {
                    await binder.DisposeAsync();
                }

                await bed.EndSessionAsync(technician, session);
            }
        }

        var spread = Spread.Of(times);
        string F(double v) => v.ToString("N1", CultureInfo.InvariantCulture);
        var output = Console.Out;
        output.WriteLine($"# Support code consume under contention (issue 11): {settings.Binders} binders × {settings.Rounds} rounds");
        output.WriteLine();
        if (settings.Quick)
        {
            output.WriteLine("**--quick: a smoke run, not a measurement.**");
            output.WriteLine();
        }

        output.WriteLine($"**Exactly one winner in every one of {settings.Rounds} rounds**; the other {settings.Binders - 1} binders of each round were refused 401 `support_code_invalid`.");
        output.WriteLine();
        output.WriteLine("| per round | median | p90 | max |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine($"| all {settings.Binders} answered (ms, from the last byte of every request) | {F(spread.Median)} | {F(spread.P90)} | {F(spread.Max)} |");
        output.WriteLine($"| connections and TLS made beforehand (ms, not counted) | {F(Spread.Of(prepare).Median)} | {F(Spread.Of(prepare).P90)} | {F(Spread.Of(prepare).Max)} |");
        output.WriteLine();
        output.WriteLine("Binder i connects from its own loopback address (127.0.x.y), as distinct agents would; the code-check limits are raised to their maxima for the run (Support:CodeChecksPerAddressPerMinute 600, Support:CodeFailuresPerMinute 6,000), so about 60 rounds of 100 fit in a minute; past that the global limit answers 429 and the bench fails.");
        return 0;
    }

    private static System.Net.IPAddress Binder(int i) => new([127, 0, (byte)(1 + (i / 250)), (byte)(1 + (i % 250))]);
}
