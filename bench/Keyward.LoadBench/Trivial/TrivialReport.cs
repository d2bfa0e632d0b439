using System.Globalization;
using Keyward.LoadBench.Load;
using Keyward.LoadBench.Measurement;
using Keyward.LoadBench.Reporting;

namespace Keyward.LoadBench.Trivial;

/// <summary>Prints the trivial-upstream run as Markdown: every front end, the paired ratios with their spread, the checks, every round.</summary>
internal static class TrivialReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter w, TrivialRun run)
    {
        var s = run.Settings;
        var external = run.ExternalGenerator;
        w.WriteLine("## Keyward trivial-upstream load benchmark");
        w.WriteLine();
        w.WriteLine(Line($"{s.Rounds} round(s) × {s.Seconds} s per front end after {run.WarmUpPasses} warm-up pass(es) of {s.WarmUpSeconds} s (discarded), {s.Connections} connections, order rotated each round; generator: {run.Generator}; {Environment.ProcessorCount} cores shared by the generator, the front ends, the upstream and anything else running; load average (1, 5, 15 min) at the start {LoadAverage.AtStart}, at the end {LoadAverage.Read()}. Every front end terminates TLS with the same certificate and reaches the trivial upstream (a Kestrel child process answering `{{\"value\":N}}`) over TLS."));
        w.WriteLine();
        if (s.Quick)
        {
            w.WriteLine("_--quick: a smoke run that shows every front end works. The JIT is still cold and the runs are short, so the numbers below are not a measurement._");
            w.WriteLine();
        }

        if (run.NginxSkipped is { } skipped)
        {
            w.WriteLine(Line($"**{skipped}**"));
            w.WriteLine();
        }

        w.WriteLine($"| front end | requests/s (median) | req/s range | p50 ms | p99 ms | front-end CPU µs/req | upstream CPU µs/req |{(external ? " wrk µs/req |" : string.Empty)} machine busy (ours) | failed |");
        w.WriteLine($"|---|---:|---:|---:|---:|---:|---:|{(external ? "---:|" : string.Empty)}---:|---:|");
        foreach (var target in run.Targets)
        {
            var samples = run.Of(target.Name).ToList();
            var frontEnd = target.Name == TrivialBed.Direct ? "–" : Line($"{Median(samples.Select(run.FrontEnd)):N0}");
            if (target.Name == TrivialBed.NginxAuth)
            {
                frontEnd += Line($" (+ {Median(samples.Select(run.AuthEndpoint)):N0} auth endpoint)");
            }

            var summary = TargetSummary.From(target, samples);
            var wrk = external ? Line($" {summary.ExternalMicroseconds:N0} |") : string.Empty;
            w.WriteLine(Line($"| {target.Name}: {target.Description} | {summary.RequestsPerSecond:N0} | {summary.MinRequestsPerSecond:N0}–{summary.MaxRequestsPerSecond:N0} | {summary.P50Milliseconds:0.00} | {summary.P99Milliseconds:0.00} | {frontEnd} | {summary.CounterMicroseconds:N0} |{wrk} {Percent(summary.MachineBusy)} ({Percent(summary.Ours)}) | {summary.Failed} |"));
        }

        w.WriteLine();
        if (run.Broken)
        {
            w.WriteLine("**This run is broken — a request failed or the upstream's count disagrees with ours (see below) — so its numbers measure nothing.**");
            w.WriteLine();
        }

        double Rate(RunSample x) => x.Result.RequestsPerSecond;
        Ratio(w, "Keyward / plain YARP, requests/s", run.PerRound(TrivialBed.Keyward, TrivialBed.Yarp, Rate), BenchSettings.TrivialRatioTarget, atLeast: true, bold: true);
        Ratio(w, "Keyward / plain YARP, front-end CPU per request", run.PerRound(TrivialBed.Keyward, TrivialBed.Yarp, run.FrontEnd), BenchSettings.TrivialCpuTarget, atLeast: false, bold: true);
        if (run.NginxSkipped is null)
        {
            Ratio(w, "Keyward / nginx auth_request, requests/s", run.PerRound(TrivialBed.Keyward, TrivialBed.NginxAuth, Rate), null, atLeast: true, bold: true);
            Ratio(w, "Keyward / nginx auth_request, CPU per request (nginx's plus its auth endpoint's)", run.PerRound(TrivialBed.Keyward, TrivialBed.NginxAuth, x => x.Target == TrivialBed.NginxAuth ? run.FrontEnd(x) + run.AuthEndpoint(x) : run.FrontEnd(x)), null, atLeast: false, bold: false);
            Ratio(w, "Keyward / nginx proxy_pass, requests/s", run.PerRound(TrivialBed.Keyward, TrivialBed.Nginx, Rate), null, atLeast: true, bold: false);
            Ratio(w, "plain YARP / nginx proxy_pass, requests/s", run.PerRound(TrivialBed.Yarp, TrivialBed.Nginx, Rate), null, atLeast: true, bold: false);
        }

        Ratio(w, "plain YARP / direct, requests/s", run.PerRound(TrivialBed.Yarp, TrivialBed.Direct, Rate), null, atLeast: true, bold: false);
        var baseline = external
            ? Line($"its {run.BenchBaseline * 1000:N0} ms of CPU per second on the direct path (background work: with wrk nothing in it serves a request there)")
            : Line($"its {run.BenchBaseline:N0} µs per request on the direct path (the built-in generator)");
        w.WriteLine(Line($"- Front-end CPU per request: nginx's master and workers; for plain YARP and Keyward, which run in the bench process, that process's CPU less {baseline}. nginx auth_request's auth endpoint is the upstream's CPU per request beyond its {run.UpstreamBaseline:N0} µs on nginx proxy_pass's path (the resource alone, reached the same way)."));
        w.WriteLine(Line($"- Requests: {run.Succeeded:N0} succeeded, {run.Failed:N0} failed{(run.FirstError is { } e ? $"; first failure: `{e}`" : string.Empty)}"));
        var c = run.Counter;
        w.WriteLine(Line($"- Upstream count check: final value {c.Value:N0}, successful requests {c.Counted:N0} ({(c.Exact ? "must be equal" : "the value must be at least the count: wrk abandons requests in flight at its deadline")}): **{(c.Passed ? "passed" : "FAILED")}**"));
        w.WriteLine(Line($"- Wall time: {run.Wall.TotalSeconds:0} s"));
        w.WriteLine();
        w.WriteLine("<details><summary>Every round</summary>");
        w.WriteLine();
        w.WriteLine($"| round | front end | requests/s | p50 ms | p99 ms | requests | failed | front-end CPU µs/req | bench µs/req | nginx µs/req | upstream µs/req |{(external ? " wrk µs/req |" : string.Empty)} machine busy (ours) |");
        w.WriteLine($"|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|{(external ? "---:|" : string.Empty)}---:|");
        foreach (var r in run.Samples)
        {
            var wrk = external ? Line($" {r.ExternalMicroseconds:N0} |") : string.Empty;
            var nginx = r.Result.Succeeded > 0 ? r.Cpu.Nginx.TotalMicroseconds / r.Result.Succeeded : 0;
            w.WriteLine(Line($"| {r.Round + 1} | {r.Target} | {r.Result.RequestsPerSecond:N0} | {r.Result.P50Milliseconds:0.00} | {r.Result.P99Milliseconds:0.00} | {r.Result.Succeeded:N0} | {r.Result.Failed} | {run.FrontEnd(r):N0} | {r.BenchMicroseconds:N0} | {nginx:N0} | {r.CounterMicroseconds:N0} |{wrk} {Percent(r.Cpu.MachineBusy)} ({Percent(r.Cpu.Ours)}) |"));
        }

        w.WriteLine();
        w.WriteLine("</details>");
    }

    private static void Ratio(TextWriter w, string name, IReadOnlyList<double> perRound, double? target, bool atLeast, bool bold)
    {
        if (perRound.Count == 0)
        {
            w.WriteLine(Line($"- {name}: no complete round"));
            return;
        }

        var median = Percentiles.Median(perRound);
        var value = bold ? Line($"**{median:0.000}**") : Line($"{median:0.000}");
        var verdict = target is { } t
            ? Line($"; target {(atLeast ? "≥" : "≤")} {t:0.00}: **{((atLeast ? median >= t : median <= t) ? "met" : "not met")}**")
            : string.Empty;
        w.WriteLine(Line($"- {name}: {value} (median of {perRound.Count} rounds, spread {perRound.Min():0.000}–{perRound.Max():0.000}; per round {string.Join(", ", perRound.Select(v => v.ToString("0.000", Invariant)))}){verdict}"));
    }

    private static double Median(IEnumerable<double> values) => Percentiles.Median(values);

    private static string Line(FormattableString text) => text.ToString(Invariant);

    private static string Percent(double? fraction) => fraction is { } f ? Line($"{f * 100:0}%") : "?";
}
