using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using Keyward.LoadBench.Measurement;
using Keyward.LoadBench.Trivial;

namespace Keyward.LoadBench.SignIn;

/// <summary>
/// The sign-in mode: complete sign-ins, WebSocket ticket mints, and mints followed by redeems, each from
/// <see cref="BenchSettings.Clients"/> concurrent clients in a child process, against Keyward in this process.
/// Because the clients are elsewhere, this process's CPU time and <see cref="GC.GetTotalAllocatedBytes(bool)"/>
/// during a run are Keyward's. Warm-up passes until the JIT is quiet, then rounds with the order rotated.
/// </summary>
internal sealed class SignInBench
{
    private const int QuietJit = 400;

    private readonly BenchSettings _settings;
    private readonly SignInBed _bed;
    private readonly TextWriter _log;
    private readonly List<SignInSample> _samples = [];

    private IReadOnlyList<SignInOperation> Operations => _settings.Operations;

    private SignInBench(BenchSettings settings, SignInBed bed, TextWriter log)
    {
        _settings = settings;
        _bed = bed;
        _log = log;
    }

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        log.WriteLine($"load average (1, 5, 15 min): {LoadAverage.AtStart}");
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(settings.Budget);
        var wall = Stopwatch.StartNew();
        try
        {
            await using var bed = await SignInBed.StartAsync(settings.OnDisk, log, budget.Token);
            var bench = new SignInBench(settings, bed, log);
            return await bench.RunCoreAsync(wall, budget.Token);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            log.WriteLine($"The bench ran past its budget of {settings.Budget.TotalSeconds:0} s and stopped itself.");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or IOException)
        {
            log.WriteLine($"The bench failed: {e.Message}");
            return 1;
        }
    }

    private async Task<int> RunCoreAsync(Stopwatch wall, CancellationToken ct)
    {
        var passes = 0;
        while (_settings.WarmUpSeconds > 0 && passes < _settings.MaxWarmUpPasses)
        {
            passes++;
            var compiled = JitInfo.GetCompiledMethodCount();
            foreach (var operation in Operations)
            {
                var warm = await RunOneAsync(-1, operation, _settings.WarmUpSeconds, ct);
                Progress($"warm-up {passes}", warm);
                if (warm.Result.Failed > 0)
                {
                    _log.WriteLine($"Operations failed during the warm-up; not measuring. First failure: {warm.Result.FirstError}");
                    return 1;
                }
            }

            compiled = JitInfo.GetCompiledMethodCount() - compiled;
            _log.WriteLine($"warm-up pass {passes}: the JIT compiled {compiled} methods in this process");
            if (compiled <= QuietJit)
            {
                break;
            }
        }

        var idle = await IdleAsync(ct);
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle: Keyward's process used {idle.CpuPerSecond * 1000:0.0} ms of CPU and allocated {idle.BytesPerSecond / 1024:N0} KB per second with no clients"));
        for (var round = 0; round < _settings.Rounds; round++)
        {
            var shift = round % Operations.Count;
            foreach (var operation in Operations.Skip(shift).Concat(Operations.Take(shift)))
            {
                var sample = await RunOneAsync(round, operation, _settings.Seconds, ct);
                _samples.Add(sample);
                Progress($"round {round + 1}/{_settings.Rounds}", sample);
            }
        }

        var report = new SignInReport(_settings, passes, idle, _samples, wall.Elapsed);
        report.Write(Console.Out);
        return report.Broken ? 1 : 0;
    }

    /// <summary>
    /// What Keyward's process spends with no client at all (timers, sweepers, the tiering JIT), over a few seconds:
    /// it is inside every run's figures, so the report shows how much of them it can be.
    /// </summary>
    private static async Task<IdleRate> IdleAsync(CancellationToken ct)
    {
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        self.Refresh();
        var seconds = clock.Elapsed.TotalSeconds;
        return new IdleRate((self.TotalProcessorTime - cpu).TotalSeconds / seconds, (allocatedAfter - allocated) / seconds);
    }

    private async Task<SignInSample> RunOneAsync(int round, SignInOperation operation, int seconds, CancellationToken ct)
    {
        await using var clients = BenchChild.Start(
            [SignInClient.ChildCommand, operation.ToString(), _settings.Clients.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture)],
            _bed.ClientEnvironment);
        await clients.WaitReadyAsync(TimeSpan.FromSeconds(90), ct);
        GC.Collect();
        await Task.Delay(TimeSpan.FromMilliseconds(250), ct);

        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clientCpu = clients.CpuTime;
        var (busy, total) = MachineCpu.Read();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var threads = SampleThreadPoolAsync(stop.Token);
        await clients.SendAsync("go");
        var line = await clients.ResultAsync(TimeSpan.FromSeconds(seconds + 60), ct);
        await stop.CancelAsync();
        var maxThreads = await threads;
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        self.Refresh();
        var cpuAfter = self.TotalProcessorTime;
        var clientCpuAfter = clients.CpuTime;
        var (busyAfter, totalAfter) = MachineCpu.Read();

        var result = JsonSerializer.Deserialize(line, SignInJsonContext.Default.ClientResult)
            ?? throw new InvalidOperationException("the clients reported nothing: " + line);
        return new SignInSample(
            round,
            operation,
            result,
            cpuAfter - cpu,
            allocatedAfter - allocated,
            clientCpuAfter - clientCpu,
            totalAfter > total ? (double)(busyAfter - busy) / (totalAfter - total) : null)
        {
            MaxThreadPoolThreads = maxThreads,
        };
    }

    /// <summary>
    /// The most thread-pool threads seen during a run (every 100 ms). The pool adds threads when its threads block —
    /// e.g. sleeping in SQLite's busy-retry loop — so a count well above the cores is a sign of blocking.
    /// </summary>
    private static async Task<int> SampleThreadPoolAsync(CancellationToken ct)
    {
        var max = ThreadPool.ThreadCount;
        try
        {
            while (true)
            {
                await Task.Delay(100, ct);
                max = Math.Max(max, ThreadPool.ThreadCount);
            }
        }
        catch (OperationCanceledException)
        {
            return Math.Max(max, ThreadPool.ThreadCount);
        }
    }

    private void Progress(string phase, SignInSample s) =>
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{phase,-11} {s.Operation,-13} {s.PerSecond,8:N0}/s  Keyward {s.KeywardMicroseconds,7:N0} µs  {s.AllocatedBytes / 1024,7:N1} KB  p50 {s.Result.P50Milliseconds,6:0.00} ms  threads {s.MaxThreadPoolThreads,3}  failed {s.Result.Failed}{(s.Result.FirstError is { } e ? "  " + e : string.Empty)}"));
}
