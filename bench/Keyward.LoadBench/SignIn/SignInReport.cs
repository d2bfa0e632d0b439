using System.Globalization;
using Keyward.LoadBench.Load;
using Keyward.LoadBench.Measurement;

namespace Keyward.LoadBench.SignIn;

/// <summary>The sign-in mode's Markdown report: per operation the rate, Keyward's CPU and allocations, and the redeem alone.</summary>
internal sealed record SignInReport(BenchSettings Settings, int WarmUpPasses, IdleRate Idle, IReadOnlyList<SignInSample> Samples, TimeSpan Wall)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public bool Broken => Samples.Any(s => s.Result.Failed > 0);

    public void Write(TextWriter w)
    {
        var s = Settings;
        w.WriteLine("## Keyward sign-in and WebSocket ticket benchmark");
        w.WriteLine();
        w.WriteLine(Line($"{s.Rounds} round(s) × {s.Seconds} s per operation after {WarmUpPasses} warm-up pass(es) of {s.WarmUpSeconds} s (discarded), {s.Clients} concurrent clients (closed loop, HTTPS keep-alive, in a child process), order rotated each round; {Environment.ProcessorCount} cores shared by the clients, Keyward, the upstream and anything else running; load average (1, 5, 15 min) at the start {LoadAverage.AtStart}, at the end {LoadAverage.Read()}. Keyward runs in the bench process, so its CPU is the process's CPU time and its allocations `GC.GetTotalAllocatedBytes(precise: true)`, both over the run. Keyward's state (SQLite) is {(s.OnDisk ? "on the disk (--on-disk): every commit waits for its flush" : "on tmpfs (/dev/shm), so commits do not wait for a disk; --on-disk puts it on the disk")}."));
        w.WriteLine();
        if (s.Quick)
        {
            w.WriteLine("_--quick: a smoke run that shows every operation works. The JIT is still cold and the runs are short, so the numbers below are not a measurement._");
            w.WriteLine();
        }

        if (Broken)
        {
            w.WriteLine("**This run is broken — an operation failed (see below) — so its numbers measure nothing.**");
            w.WriteLine();
        }

        w.WriteLine("| operation | per second (median) | range | p50 ms | p99 ms | Keyward CPU µs/op | Keyward KB allocated/op | clients' CPU µs/op | thread-pool threads (max) | machine busy | failed |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var operation in s.Operations)
        {
            var of = Of(operation);
            var busy = of.Select(x => x.MachineBusy).OfType<double>().ToList();
            w.WriteLine(Line($"| {Name(operation)} | {Median(of.Select(x => x.PerSecond)):N0} | {of.Min(x => x.PerSecond):N0}–{of.Max(x => x.PerSecond):N0} | {Median(of.Select(x => x.Result.P50Milliseconds)):0.00} | {Median(of.Select(x => x.Result.P99Milliseconds)):0.00} | {Median(of.Select(x => x.KeywardMicroseconds)):N0} | {Median(of.Select(x => x.AllocatedBytes)) / 1024:N1} | {Median(of.Select(x => x.ClientMicroseconds)):N0} | {of.Max(x => x.MaxThreadPoolThreads)} | {(busy.Count > 0 ? Line($"{Median(busy) * 100:0}%") : "?")} | {of.Sum(x => x.Result.Failed)} |"));
        }

        // A redeem never comes without its mint, so its own cost is the difference of the two runs of a round.
        var redeemCpu = PerRound(x => x.KeywardMicroseconds);
        var redeemBytes = PerRound(x => x.AllocatedBytes);
        if (redeemCpu.Count > 0)
        {
            w.WriteLine(Line($"| redeem alone (mint + redeem − mint, per round) | – | – | – | – | {Median(redeemCpu):N0} | {Median(redeemBytes) / 1024:N1} | – | – | – | – |"));
        }

        w.WriteLine();
        w.WriteLine("- A sign-in is `POST /api/auth/login/begin`, the virtual key's assertion, `POST /api/auth/login/finish`; every one creates a session. A mint is `POST /api/auth/ws-ticket` with the session and Keyward's own origin. A redeem opens `wss://…/ws/bench?ticket=…` on a route to the trivial upstream and closes it: a new TLS connection from the client (an HTTP/1.1 upgrade takes its connection), the atomic consume, a new connection from Keyward to the upstream, and the close handshakes, so it is far more than the consume.");
        w.WriteLine(Line($"- Thread-pool threads: the most seen in Keyward's process (every 100 ms) during any round of that operation, on {Environment.ProcessorCount} cores. The pool adds threads when its threads block (a sleep in SQLite's busy-retry loop, a lock), so a count well above the cores is a sign of blocking."));
        var first = s.Operations[0];
        var rate = Median(Of(first).Select(x => x.PerSecond));
        w.WriteLine(Line($"- Idle, with no client, Keyward's process used {Idle.CpuPerSecond * 1000:0.0} ms of CPU and allocated {Idle.BytesPerSecond / 1024:N0} KB per second (timers, sweepers, the JIT). That is inside the figures above: at the median rate of {Name(first)}, up to {(rate > 0 ? Idle.CpuPerSecond * 1e6 / rate : 0):N0} µs and {(rate > 0 ? Idle.BytesPerSecond / 1024 / rate : 0):N1} KB per operation."));
        w.WriteLine(Line($"- Issue 15's targets (not asserted): ≤ 600 µs of Keyward CPU and ≤ 40 KB allocated per complete sign-in; ≥ 5,000 mints/s over HTTPS."));
        w.WriteLine(Line($"- Operations: {Samples.Sum(x => x.Result.Operations):N0} succeeded, {Samples.Sum(x => x.Result.Failed):N0} failed{(Samples.Select(x => x.Result.FirstError).FirstOrDefault(e => e is not null) is { } e ? $"; first failure: `{e}`" : string.Empty)}"));
        w.WriteLine(Line($"- Wall time: {Wall.TotalSeconds:0} s"));
        w.WriteLine();
        w.WriteLine("<details><summary>Every round</summary>");
        w.WriteLine();
        w.WriteLine("| round | operation | per second | p50 ms | p99 ms | operations | failed | Keyward CPU µs/op | Keyward KB/op | clients' CPU µs/op | thread-pool threads (max) |");
        w.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var x in Samples)
        {
            w.WriteLine(Line($"| {x.Round + 1} | {Name(x.Operation)} | {x.PerSecond:N0} | {x.Result.P50Milliseconds:0.00} | {x.Result.P99Milliseconds:0.00} | {x.Result.Operations:N0} | {x.Result.Failed} | {x.KeywardMicroseconds:N0} | {x.AllocatedBytes / 1024:N1} | {x.ClientMicroseconds:N0} | {x.MaxThreadPoolThreads} |"));
        }

        w.WriteLine();
        w.WriteLine("</details>");
    }

    private List<SignInSample> Of(SignInOperation operation) => [.. Samples.Where(x => x.Operation == operation)];

    private List<double> PerRound(Func<SignInSample, double> value) =>
        [.. Samples.GroupBy(x => x.Round)
            .Select(g => (Both: g.FirstOrDefault(x => x.Operation == SignInOperation.MintAndRedeem), Mint: g.FirstOrDefault(x => x.Operation == SignInOperation.Mint)))
            .Where(p => p.Both is not null && p.Mint is not null)
            .Select(p => value(p.Both!) - value(p.Mint!))];

    private static string Name(SignInOperation operation) => operation switch
    {
        SignInOperation.SignIn => "complete sign-in (begin + finish)",
        SignInOperation.Mint => "WebSocket ticket mint",
        _ => "ticket mint + redeem (socket opened and closed)",
    };

    private static double Median(IEnumerable<double> values) => Percentiles.Median(values);

    private static string Line(FormattableString text) => text.ToString(Invariant);
}
