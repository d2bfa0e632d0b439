using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Keyward.LoadBench.Measurement;

namespace Keyward.LoadBench.Support;

/// <summary>
/// Idle agents (issue 11, "Speed" 2): N machines enrolled in-process (Keyward's <c>EnrollmentService</c>: a token made
/// and consumed, as the enroll API does), then N lightweight agents connected from a child process
/// (<see cref="AgentSwarm"/>), so this process holds Keyward alone. Reports Keyward's memory per agent (working set
/// and live managed heap after a full collection, each with N agents minus with none, over N) and its CPU per second
/// while idle with N agents against with none, each over <c>--idle-seconds</c>.
/// </summary>
internal static class IdleAgentsBench
{
    private const double TargetKiB = 64;

    public static async Task<int> RunAsync(SupportBenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var n = settings.Agents;
        var files = OpenFileLimit();
        if (files is { } limit && limit < n + 1_000)
        {
            log.WriteLine($"--agents {n}: this process may open {limit} files and needs about {n + 1_000} (one socket per agent). Raise it first: ulimit -n {n + 2_000} (the hard limit is {HardFileLimit()}), or lower --agents.");
            return 2;
        }

        await using var bed = await SupportBed.StartAsync(log, new Dictionary<string, string>
        {
            ["Keyward:Agents:MaxAgents"] = Math.Max(10_000, n).ToString(CultureInfo.InvariantCulture),
        }, cancellationToken);
        var heartbeat = 20;

        var clock = Stopwatch.StartNew();
        var keys = new List<string>(n);
        for (var i = 0; i < n; i++)
        {
            keys.Add((await bed.EnrollKeyAsync($"idle {i}", cancellationToken)).Key);
            if ((i + 1) % 1_000 == 0)
            {
                log.WriteLine($"enrolled {i + 1}/{n}");
            }
        }

        var enrolled = clock.Elapsed;
        var keyFile = Path.Combine(bed.DataDirectory, "swarm.keys");
        var keyFileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            keyFileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(keyFile, keyFileOptions))
        await using (var writer = new StreamWriter(file))
        {
            foreach (var key in keys)
            {
                await writer.WriteLineAsync(key);
            }
        }

        keys.Clear();
        log.WriteLine($"enrolled {n} machines in {enrolled.TotalSeconds:0.0} s");

        // Start-up and enrollment leave the JIT and timers busy for a while; settle as long as after connecting.
        await Task.Delay(TimeSpan.FromSeconds(heartbeat + 2), cancellationToken);
        var empty = await MeasureAsync(settings.IdleSeconds, log, "no agents", cancellationToken);

        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(IdleAgentsBench).Assembly.Location);
        }

        foreach (var a in new[] { "--mode", SupportModes.Swarm, "--swarm-url", bed.Keyward.WebSocketBase.ToString(), "--swarm-ca", bed.Keyward.CaFile, "--swarm-keys", keyFile })
        {
            start.ArgumentList.Add(a);
        }

        using var swarm = Process.Start(start) ?? throw new InvalidOperationException("the agent swarm did not start");
        try
        {
            clock.Restart();
            var status = new SwarmStatus();
            var reading = Task.Run(async () =>
            {
                while (await swarm.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    status.Take(line);
                }
            }, CancellationToken.None);
            while (status.Ready is null)
            {
                if (swarm.HasExited)
                {
                    throw new InvalidOperationException($"the agent swarm exited ({swarm.ExitCode}) before its agents were connected");
                }

                await Task.Delay(1_000, cancellationToken);
                log.WriteLine($"connecting: {status.Connected}/{n} connected, {status.Failed} failed");
            }

            var connectTime = clock.Elapsed;
            if (status.Failed > 0)
            {
                log.WriteLine($"{status.Failed} agents failed to connect; first: {status.Ready}");
                return 1;
            }

            // Let every agent send at least one heartbeat (and Keyward write its last-seen once) before measuring.
            log.WriteLine($"{n} agents connected in {connectTime.TotalSeconds:0.0} s; settling for one heartbeat interval ({heartbeat} s)");
            await Task.Delay(TimeSpan.FromSeconds(heartbeat + 2), cancellationToken);
            var full = await MeasureAsync(settings.IdleSeconds, log, $"{n} agents", cancellationToken);
            swarm.Refresh();
            var swarmSet = swarm.WorkingSet64;
            var closed = status.Closed;
            if (closed > 0 || status.Connected != n)
            {
                log.WriteLine($"{closed} agents were closed by Keyward while idle (connected {status.Connected} of {n}): not a measurement of idle agents.");
                return 1;
            }

            Report(Console.Out, settings, enrolled, connectTime, empty, full, heartbeat, status.Heartbeats, swarmSet);
            return 0;
        }
        finally
        {
            swarm.StandardInput.Close();
            if (!swarm.WaitForExit(30_000))
            {
                swarm.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<Snapshot> MeasureAsync(int seconds, TextWriter log, string what, CancellationToken cancellationToken)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        await Task.Delay(1_000, cancellationToken);
        using var self = Process.GetCurrentProcess();
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        self.Refresh();
        var workingSet = self.WorkingSet64;
        var cpu0 = self.TotalProcessorTime;
        var (busy0, total0) = MachineCpu.Read();
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpu0;
        var elapsed = wall.Elapsed;
        var (busy1, total1) = MachineCpu.Read();
        var snapshot = new Snapshot(workingSet, heap, cpu / elapsed.TotalSeconds, total1 > total0 ? (double)(busy1 - busy0) / (total1 - total0) : null);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: working set {workingSet / 1048576.0:N1} MiB, managed heap {heap / 1048576.0:N1} MiB, CPU {snapshot.CpuPerSecond.TotalMilliseconds:N1} ms/s"));
        return snapshot;
    }

    private static void Report(TextWriter output, SupportBenchSettings settings, TimeSpan enrolled, TimeSpan connected, Snapshot empty, Snapshot full, int heartbeat, long heartbeats, long swarmSet)
    {
        var n = settings.Agents;
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        var wsPer = (full.WorkingSet - empty.WorkingSet) / 1024.0 / n;
        var heapPer = (full.Heap - empty.Heap) / 1024.0 / n;
        var cpuDelta = (full.CpuPerSecond - empty.CpuPerSecond).TotalMilliseconds;
        output.WriteLine($"# Idle agents (issue 11): {n:N0} agents on one Keyward");
        output.WriteLine();
        if (settings.Quick)
        {
            output.WriteLine("**--quick: a smoke run, not a measurement.**");
            output.WriteLine();
        }

        output.WriteLine($"Enrolled in {F(enrolled.TotalSeconds, "N1")} s (in-process), connected in {F(connected.TotalSeconds, "N1")} s ({F(n / connected.TotalSeconds, "N0")} agents/s, {32} at a time, TLS). Heartbeat every {heartbeat} s, WebSocket ping every 15 s (as the agent library). {heartbeats:N0} heartbeats sent by the end.");
        output.WriteLine();
        output.WriteLine("| Keyward's process | no agents | with agents | per agent |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine($"| working set | {F(empty.WorkingSet / 1048576.0, "N1")} MiB | {F(full.WorkingSet / 1048576.0, "N1")} MiB | **{F(wsPer, "N1")} KiB** |");
        output.WriteLine($"| managed heap (live, after a full GC) | {F(empty.Heap / 1048576.0, "N1")} MiB | {F(full.Heap / 1048576.0, "N1")} MiB | **{F(heapPer, "N1")} KiB** |");
        output.WriteLine($"| CPU while idle ({settings.IdleSeconds} s window) | {F(empty.CpuPerSecond.TotalMilliseconds, "N1")} ms/s | {F(full.CpuPerSecond.TotalMilliseconds, "N1")} ms/s | {F(cpuDelta * 1000 / (n / (double)heartbeat), "N0")} µs per heartbeat |");
        output.WriteLine($"| machine busy (all processes) | {F((empty.MachineBusy ?? 0) * 100, "N0")}% | {F((full.MachineBusy ?? 0) * 100, "N0")}% | |");
        output.WriteLine();
        output.WriteLine($"Target ≤ {TargetKiB} KiB per agent (working set): **{(wsPer <= TargetKiB ? "met" : "not met")}**. Heartbeat CPU: {F(cpuDelta, "N1")} ms of CPU per second for {n:N0} idle agents ({F(cpuDelta / 10, "N2")}% of one core). The agents' own process (not Keyward) used {F(swarmSet / 1048576.0, "N0")} MiB.");
        output.WriteLine();
        output.WriteLine("Per heartbeat counts everything Keyward did while idle beyond its empty baseline (heartbeats, WebSocket pongs, last-seen writes, sweeps) over the heartbeats due in the window.");
    }

    private static long? OpenFileLimit() => LimitOf(3);

    private static long? HardFileLimit() => LimitOf(4);

    private static long? LimitOf(int column)
    {
        const string Limits = "/proc/self/limits";
        if (!File.Exists(Limits))
        {
            return null;
        }

        var line = File.ReadLines(Limits).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 4 } && long.TryParse(fields[column], CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private sealed record Snapshot(long WorkingSet, long Heap, TimeSpan CpuPerSecond, double? MachineBusy);

    private sealed class SwarmStatus
    {
        public volatile string? Ready;

        public int Connected { get; private set; }

        public int Failed { get; private set; }

        public int Closed { get; private set; }

        public long Heartbeats { get; private set; }

        public void Take(string line)
        {
            var fields = line.Split(' ');
            if (fields[0] == "status" && fields.Length >= 5)
            {
                Connected = int.Parse(fields[1], CultureInfo.InvariantCulture);
                Failed = int.Parse(fields[2], CultureInfo.InvariantCulture);
                Closed = int.Parse(fields[3], CultureInfo.InvariantCulture);
                Heartbeats = long.Parse(fields[4], CultureInfo.InvariantCulture);
            }
            else if (fields[0] == "ready")
            {
                Connected = int.Parse(fields[1], CultureInfo.InvariantCulture);
                Failed = int.Parse(fields[2], CultureInfo.InvariantCulture);
                Ready = line;
            }
        }
    }
}
