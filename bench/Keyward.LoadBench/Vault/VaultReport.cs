using System.Globalization;
using Keyward.LoadBench.Load;
using Keyward.LoadBench.Measurement;
using Keyward.LoadBench.Reporting;
using Keyward.LoadBench.Trivial;

namespace Keyward.LoadBench.Vault;

/// <summary>
/// Prints the vault run as Markdown: the direct path (the generator's own cost), Keyward's proxy path and the vault
/// read, with Keyward's CPU per request for each, the ratio vault / proxy per round and its median, the checks,
/// every round.
/// </summary>
internal static class VaultReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(TextWriter w, TrivialRun run, VaultBed bed)
    {
        var s = run.Settings;
        w.WriteLine("## Keyward vault-read load benchmark");
        w.WriteLine();
        w.WriteLine(Line($"{s.Rounds} round(s) × {s.Seconds} s per path after {run.WarmUpPasses} warm-up pass(es) of {s.WarmUpSeconds} s (discarded), {s.Connections} connections, order rotated each round; generator: {run.Generator}; {Environment.ProcessorCount} cores shared by the generator, Keyward, the trivial upstream and anything else running; load average (1, 5, 15 min) at the start {LoadAverage.AtStart}, at the end {LoadAverage.Read()}. Keyward (in the bench process, TLS, SQLite) serves both Keyward paths."));
        w.WriteLine();
        if (s.Quick)
        {
            w.WriteLine("_--quick: a smoke run that shows every path works. The JIT is still cold and the runs are short, so the numbers below are not a measurement._");
            w.WriteLine();
        }

        w.WriteLine("| path | requests/s (median) | req/s range | p50 ms | p99 ms | Keyward CPU µs/req | bench µs/req | upstream CPU µs/req | machine busy (ours) | failed |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var target in run.Targets)
        {
            var samples = run.Of(target.Name).ToList();
            var summary = TargetSummary.From(target, samples);
            var keyward = target.Name == TrivialBed.Direct ? "–" : Line($"{Percentiles.Median(samples.Select(run.FrontEnd)):N0}");
            w.WriteLine(Line($"| {target.Name}: {target.Description} | {summary.RequestsPerSecond:N0} | {summary.MinRequestsPerSecond:N0}–{summary.MaxRequestsPerSecond:N0} | {summary.P50Milliseconds:0.00} | {summary.P99Milliseconds:0.00} | {keyward} | {summary.BenchMicroseconds:N0} | {summary.CounterMicroseconds:N0} | {Percent(summary.MachineBusy)} ({Percent(summary.Ours)}) | {summary.Failed} |"));
        }

        w.WriteLine();
        if (run.Broken)
        {
            w.WriteLine("**This run is broken — a request failed, a vault read answered other than 200 with the expected length, or the upstream's count disagrees with ours (see below) — so its numbers measure nothing.**");
            w.WriteLine();
        }

        Ratio(w, "vault / proxy, requests/s", run.PerRound(VaultBed.Vault, TrivialBed.Keyward, x => x.Result.RequestsPerSecond), bold: true);
        Ratio(w, "vault / proxy, Keyward CPU per request", run.PerRound(VaultBed.Vault, TrivialBed.Keyward, run.FrontEnd), bold: true);
        Ratio(w, "vault / proxy, p50 latency", run.PerRound(VaultBed.Vault, TrivialBed.Keyward, x => x.Result.P50Milliseconds), bold: false);
        w.WriteLine(Line($"- Keyward CPU per request: the bench process's CPU per request (Keyward and the built-in generator) less its {run.BenchBaseline:N0} µs per request on the direct path (the generator alone, against the trivial upstream). A vault answer is {bed.BodyLength:N0} bytes against the upstream's few, so the generator's share on the vault path is somewhat larger than that baseline and the vault figure somewhat high."));
        w.WriteLine(Line($"- Vault reads: every answer had to be 200 with exactly {bed.BodyLength:N0} bytes (the pre-flight read checked the path, the version and the {VaultBed.SecretBytes:N0} bytes written); read capabilities minted: {bed.CapabilitiesMinted} (one at set-up, then one before any run that would start with less than 2 min left, outside the timed part)."));
        w.WriteLine(Line($"- Requests: {run.Succeeded:N0} succeeded, {run.Failed:N0} failed{(run.FirstError is { } e ? $"; first failure: `{e}`" : string.Empty)}"));
        var c = run.Counter;
        w.WriteLine(Line($"- Upstream count check (direct and proxy paths): final value {c.Value:N0}, successful requests {c.Counted:N0} (must be equal): **{(c.Passed ? "passed" : "FAILED")}**"));
        w.WriteLine(Line($"- Wall time: {run.Wall.TotalSeconds:0} s"));
        w.WriteLine();
        w.WriteLine("<details><summary>Every round</summary>");
        w.WriteLine();
        w.WriteLine("| round | path | requests/s | p50 ms | p99 ms | requests | failed | Keyward CPU µs/req | bench µs/req | upstream µs/req | machine busy (ours) |");
        w.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in run.Samples)
        {
            w.WriteLine(Line($"| {r.Round + 1} | {r.Target} | {r.Result.RequestsPerSecond:N0} | {r.Result.P50Milliseconds:0.00} | {r.Result.P99Milliseconds:0.00} | {r.Result.Succeeded:N0} | {r.Result.Failed} | {run.FrontEnd(r):N0} | {r.BenchMicroseconds:N0} | {r.CounterMicroseconds:N0} | {Percent(r.Cpu.MachineBusy)} ({Percent(r.Cpu.Ours)}) |"));
        }

        w.WriteLine();
        w.WriteLine("</details>");
    }

    private static void Ratio(TextWriter w, string name, IReadOnlyList<double> perRound, bool bold)
    {
        if (perRound.Count == 0)
        {
            w.WriteLine(Line($"- {name}: no complete round"));
            return;
        }

        var median = Percentiles.Median(perRound);
        var value = bold ? Line($"**{median:0.000}**") : Line($"{median:0.000}");
        w.WriteLine(Line($"- {name}: {value} (median of {perRound.Count} rounds, spread {perRound.Min():0.000}–{perRound.Max():0.000}; per round {string.Join(", ", perRound.Select(v => v.ToString("0.000", Invariant)))})"));
    }

    private static string Line(FormattableString text) => text.ToString(Invariant);

    private static string Percent(double? fraction) => fraction is { } f ? Line($"{f * 100:0}%") : "?";
}
