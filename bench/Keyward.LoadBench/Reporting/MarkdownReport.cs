using System.Globalization;
using Keyward.LoadBench.Hosting;

namespace Keyward.LoadBench.Reporting;

/// <summary>Prints the result as Markdown: the summary table, the ratios, the CPU costs, the checks, then every round.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter w, BenchReport report)
    {
        var s = report.Settings;
        var external = report.ExternalGenerator;
        w.WriteLine("## Keyward loopback load benchmark");
        w.WriteLine();
        w.WriteLine(Line($"{s.Rounds} round(s) × {s.Seconds} s per path after {report.WarmUpPasses} warm-up pass(es) of {s.WarmUpSeconds} s per path (discarded; at most {s.MaxWarmUpPasses}, fewer once the JIT is quiet), {s.Connections} connections, order rotated each round; generator: {report.Generator}; {Environment.ProcessorCount} cores shared by generator, proxies, counter and anything else running; state in {report.Location}. Every path ends at the counter's authenticated `POST /resource/counter` (one ES256 verify, one SQLite increment)."));
        w.WriteLine();
        if (s.Quick)
        {
            w.WriteLine("_--quick: a smoke run that shows every path works. The JIT is still cold and the runs are short, so the numbers below are not a measurement; run without --quick for those._");
            w.WriteLine();
        }

        w.WriteLine($"| path | requests/s (median) | req/s range | p50 ms | p99 ms | CPU µs/req: bench process |{(external ? " wrk |" : string.Empty)} counter | machine busy (ours) | failed |");
        w.WriteLine($"|---|---:|---:|---:|---:|---:|{(external ? "---:|" : string.Empty)}---:|---:|---:|");
        foreach (var t in report.Targets)
        {
            var wrk = external ? Line($" {t.ExternalMicroseconds:N0} |") : string.Empty;
            w.WriteLine(Line($"| {t.Target.Name}: {t.Target.Description} | {t.RequestsPerSecond:N0} | {t.MinRequestsPerSecond:N0}–{t.MaxRequestsPerSecond:N0} | {t.P50Milliseconds:0.00} | {t.P99Milliseconds:0.00} | {t.BenchMicroseconds:N0} |{wrk} {t.CounterMicroseconds:N0} | {Percent(t.MachineBusy)} ({Percent(t.Ours)}) | {t.Failed} |"));
        }

        w.WriteLine();
        if (report.Broken)
        {
            w.WriteLine("**This run is broken — a request failed or the counter disagrees with the count (see below) — so its numbers measure nothing.**");
            w.WriteLine();
        }

        var met = report.KeywardOverYarp.Median >= BenchSettings.RatioTarget;
        w.WriteLine(Line($"- **Keyward / plain YARP: {report.KeywardOverYarp.Median:0.000}** (requests/s, median of the per-round ratios {Join(report.KeywardOverYarp.PerRound)}); target ≥ {BenchSettings.RatioTarget:0.0}: **{(met ? "met" : "not met")}**{(report.Broken ? " (broken run)" : string.Empty)}"));
        w.WriteLine(Line($"- Plain YARP / direct: {report.YarpOverDirect.Median:0.000} (per round {Join(report.YarpOverDirect.PerRound)})"));
        var cost = report.ProxyCost;
        w.WriteLine(Line($"- Proxy CPU per request (bench process, minus the direct path's {cost.Baseline:N0} µs): plain YARP {cost.Yarp:N0} µs, Keyward {cost.Keyward:N0} µs — Keyward costs {cost.Ratio:0.00}× plain YARP's CPU"));
        var direct = report.Targets.Single(t => t.Target.Name == TestBed.Direct);
        w.WriteLine(external
            ? Line($"- Generator CPU per request: wrk {direct.ExternalMicroseconds:N0} µs, against the counter's {direct.CounterMicroseconds:N0} µs (direct path)")
            : Line($"- Generator CPU per request: ≈ {direct.BenchMicroseconds:N0} µs (the bench process on the direct path, where the proxies idle), against the counter's {direct.CounterMicroseconds:N0} µs"));
        w.WriteLine(Line($"- Requests: {report.Succeeded:N0} succeeded, {report.Failed:N0} failed{(report.FirstError is { } e ? $"; first failure: `{e}`" : string.Empty)}"));
        var c = report.Counter;
        w.WriteLine(Line($"- Counter check: final value {c.Value:N0}, successful requests {c.Counted:N0} ({(c.Exact ? "must be equal" : "the value must be at least the count: wrk abandons requests in flight at its deadline")}): **{(c.Passed ? "passed" : "FAILED")}**"));
        w.WriteLine(Line($"- Wall time: {report.Wall.TotalSeconds:0} s"));
        w.WriteLine();
        w.WriteLine("<details><summary>Every round</summary>");
        w.WriteLine();
        w.WriteLine($"| round | path | requests/s | p50 ms | p99 ms | requests | failed | CPU µs/req: bench |{(external ? " wrk |" : string.Empty)} counter | machine busy (ours) |");
        w.WriteLine($"|---:|---|---:|---:|---:|---:|---:|---:|{(external ? "---:|" : string.Empty)}---:|---:|");
        foreach (var r in report.Samples)
        {
            var wrk = external ? Line($" {r.ExternalMicroseconds:N0} |") : string.Empty;
            w.WriteLine(Line($"| {r.Round + 1} | {r.Target} | {r.Result.RequestsPerSecond:N0} | {r.Result.P50Milliseconds:0.00} | {r.Result.P99Milliseconds:0.00} | {r.Result.Succeeded:N0} | {r.Result.Failed} | {r.BenchMicroseconds:N0} |{wrk} {r.CounterMicroseconds:N0} | {Percent(r.Cpu.MachineBusy)} ({Percent(r.Cpu.Ours)}) |"));
        }

        w.WriteLine();
        w.WriteLine("</details>");
    }

    private static string Line(FormattableString text) => text.ToString(Invariant);

    private static string Percent(double? fraction) => fraction is { } f ? Line($"{f * 100:0}%") : "?";

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("0.000", Invariant)));
}
