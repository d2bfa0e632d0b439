using System.Globalization;
using Keyward.LoadBench.Measurement;

namespace Keyward.LoadBench.Support;

/// <summary>
/// Relay throughput (issue 11, "Speed" 1): one download of <c>--megabytes</c> from a service on the machine's
/// loopback, read by a client on the technician's side, through three paths in the same run:
/// <list type="bullet">
/// <item><b>direct</b>: the client connects to the service (the loopback's own ceiling);</item>
/// <item><b>plain</b>: through socat (a process per transfer; or an in-process relay), plain TCP;</item>
/// <item><b>keyward</b>: client → the <c>keyward connect</c> forward (the CLI's viewer socket, TLS) → Keyward →
/// the real agent library in its own process (its socket to Keyward, TLS) → the service.</item>
/// </list>
/// One discarded warm-up pass, then rounds with the order rotated; each transfer's bytes are checked.
/// </summary>
internal static class RelayBench
{
    private const string Direct = "direct";
    private const string Plain = "plain";
    private const string Keyward = "keyward";

    public static async Task<int> RunAsync(SupportBenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var total = (long)settings.Megabytes * 1024 * 1024;
        using var source = new ByteSource(total);
        using var plain = PlainRelay.Start(source.Port);
        await using var bed = await SupportBed.StartAsync(log, new Dictionary<string, string>(), cancellationToken);

        var state = await bed.EnrollAgentAsync("relay bench", cancellationToken);
        using var agent = RelayAgent.Start(state.Directory, source.Port);
        var technician = await bed.AdminAsync();
        var (session, _) = await bed.OpenSessionAsync(technician, Guid.Parse(state.MachineId));
        using var forward = new ForwardListener(bed, technician, session, source.Port);
        log.WriteLine($"source on {source.Port}; plain relay on {plain.Port} ({plain.Description}); keyward forward on {forward.Port}");

        var ports = new Dictionary<string, int> { [Direct] = source.Port, [Plain] = plain.Port, [Keyward] = forward.Port };
        string[] paths = [Direct, Plain, Keyward];
        var samples = new List<(int Round, Transfer Transfer)>();
        for (var round = -1; round < settings.Rounds; round++)
        {
            var shift = Math.Max(round, 0) % paths.Length;
            foreach (var path in paths.Skip(shift).Concat(paths.Take(shift)))
            {
                GC.Collect();
                await Task.Delay(200, cancellationToken);
                var children = ChildCpu.Read();
                if (path == Plain)
                {
                    plain.Begin();
                }

                var agentCpu = agent.Cpu;
                var transfer = await Transfer.RunAsync(path, ports[path], source, cancellationToken);
                if (path == Keyward)
                {
                    transfer = transfer with { RelayProcessCpu = agent.Cpu - agentCpu };
                }

                if (path == Plain)
                {
                    await plain.EndAsync(cancellationToken);
                    transfer = transfer with { RelayProcessCpu = ChildCpu.Read() - children };
                }

                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(round < 0 ? "warm-up" : $"round {round + 1}/{settings.Rounds}"),-12} {path,-8} {transfer.MegabytesPerSecond,8:N1} MB/s  first byte {transfer.FirstByte.TotalMilliseconds,7:N1} ms  {(transfer.Intact ? "intact" : "BROKEN")}"));
                if (!transfer.Intact)
                {
                    log.WriteLine($"{path}: received {transfer.Bytes:N0} of {total:N0} bytes, or bytes that differ from the source's. {forward.LastProblem}");
                    return 1;
                }

                if (round >= 0)
                {
                    samples.Add((round, transfer));
                }
            }
        }

        Report(Console.Out, settings, plain.Description, total, samples);
        return 0;
    }

    private static void Report(TextWriter output, SupportBenchSettings settings, string plainDescription, long total, List<(int Round, Transfer Transfer)> samples)
    {
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        output.WriteLine($"# Relay throughput (issue 11): {settings.Rounds} rounds of one {total / (1024 * 1024)} MiB download per path");
        output.WriteLine();
        if (settings.Quick)
        {
            output.WriteLine("**--quick: a smoke run, not a measurement.**");
            output.WriteLine();
        }

        output.WriteLine($"Plain relay: {plainDescription}. Keyward: the CLI's viewer socket in this process with Keyward, the agent library in its own process, TLS on both legs.");
        output.WriteLine();
        output.WriteLine("| path | MB/s median (range) | first byte ms (median) | CPU ms/MB: bench process | CPU ms/MB: socat or agent | machine busy (median) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var path in new[] { Direct, Plain, Keyward })
        {
            var mine = samples.Where(s => s.Transfer.Path == path).Select(s => s.Transfer).ToList();
            var rate = Spread.Of(mine.Select(t => t.MegabytesPerSecond));
            var first = Spread.Of(mine.Select(t => t.FirstByte.TotalMilliseconds));
            var busy = Spread.Of(mine.Where(t => t.MachineBusy is not null).Select(t => t.MachineBusy!.Value * 100));
            var benchCpu = Spread.Of(mine.Select(t => t.BenchCpuMillisecondsPerMegabyte)).Median;
            var relayCpu = Spread.Of(mine.Select(t => t.RelayProcessCpuMillisecondsPerMegabyte)).Median;
            output.WriteLine($"| {path} | {rate.Format("N0")} | {F(first.Median, "N1")} | {F(benchCpu, "N2")} | {(path == Direct ? "–" : F(relayCpu, "N2"))} | {F(busy.Median, "N0")}% |");
        }

        double Cpu(string path, Func<Transfer, double> of) => Spread.Of(samples.Where(s => s.Transfer.Path == path).Select(s => of(s.Transfer))).Median;
        var clientAndSource = Cpu(Direct, t => t.BenchCpuMillisecondsPerMegabyte);
        // socat's own CPU when it ran (the bench's extra on that path is starting socat, not relaying); else the in-process relay's.
        var socatCpu = Cpu(Plain, t => t.RelayProcessCpuMillisecondsPerMegabyte);
        var plainRelayCpu = socatCpu > 0 ? socatCpu : Cpu(Plain, t => t.BenchCpuMillisecondsPerMegabyte) - clientAndSource;
        var keywardAndViewer = Cpu(Keyward, t => t.BenchCpuMillisecondsPerMegabyte) - clientAndSource;
        var agentCpu = Cpu(Keyward, t => t.RelayProcessCpuMillisecondsPerMegabyte);
        var keywardRelayCpu = keywardAndViewer + agentCpu;
        output.WriteLine();
        output.WriteLine($"Relay CPU per MB (socat's own; for Keyward, the bench process's minus the direct path's client and source, plus the agent process's): plain {F(plainRelayCpu, "N2")} ms, Keyward path {F(keywardRelayCpu, "N2")} ms (Keyward and the viewer {F(keywardAndViewer, "N2")}, the agent {F(agentCpu, "N2")}), **{F(keywardRelayCpu / plainRelayCpu, "N1")}× plain**. Unlike MB/s, this does not depend on who else uses the cores.");

        output.WriteLine();
        var ratios = Enumerable.Range(0, settings.Rounds).Select(r => Rate(samples, r, Keyward) / Rate(samples, r, Plain)).ToList();
        var overDirect = Enumerable.Range(0, settings.Rounds).Select(r => Rate(samples, r, Keyward) / Rate(samples, r, Direct)).ToList();
        output.WriteLine($"**Keyward / plain relay: {F(Spread.Of(ratios).Median, "0.000")}** (rounds {string.Join(", ", ratios.Select(r => F(r, "0.000")))}; range {F(ratios.Min(), "0.000")}–{F(ratios.Max(), "0.000")})");
        output.WriteLine();
        output.WriteLine($"Keyward / direct: {F(Spread.Of(overDirect).Median, "0.000")}. Every transfer's {total:N0} bytes were checked against the source.");
    }

    private static double Rate(List<(int Round, Transfer Transfer)> samples, int round, string path) =>
        samples.Single(s => s.Round == round && s.Transfer.Path == path).Transfer.MegabytesPerSecond;
}
