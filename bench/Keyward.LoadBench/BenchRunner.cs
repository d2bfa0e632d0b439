using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Keyward.LoadBench.Hosting;
using Keyward.LoadBench.Load;
using Keyward.LoadBench.Measurement;
using Keyward.LoadBench.Reporting;
using Keyward.LoadBench.Trivial;
using Keyward.LoadBench.Vault;

namespace Keyward.LoadBench;

/// <summary>
/// One bench run: start the test bed, check each path answers 200, warm every path up until the JIT is quiet
/// (discarded), then the rounds — every path once per round, the order rotated each round so no path always
/// follows the same one — and report. Progress goes to stderr, the Markdown report to stdout.
/// </summary>
internal sealed class BenchRunner
{
    /// <summary>A warm-up pass that compiled no more methods than this: tiering has settled (thousands per pass before, a trickle after).</summary>
    private const int QuietJit = 400;

    /// <summary>Lets the previous run's connections, timers and garbage settle before the next starts.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    // --keyward-metrics-off: Keyward without its /metrics listener (BenchSettings.KeywardMetricsOff).
    private static readonly Func<string, IReadOnlyDictionary<string, string>> MetricsOff = _ => new Dictionary<string, string> { ["Keyward:Metrics:Listen"] = "off" };

    private readonly BenchSettings _settings;
    private readonly ILoadBed _bed;
    private readonly ILoadGenerator _generator;
    private readonly TextWriter _log;
    private readonly List<RunSample> _samples = [];
    private long _succeeded;

    /// <summary>Successful requests that never reached the upstream (vault reads): not in its count.</summary>
    private long _offUpstream;
    private long _failed;
    private string? _firstError;

    private BenchRunner(BenchSettings settings, ILoadBed bed, ILoadGenerator generator, TextWriter log)
    {
        _settings = settings;
        _bed = bed;
        _generator = generator;
        _log = log;
    }

    /// <summary>Runs the bench; 0 when every request succeeded and the counter agrees, 1 otherwise, 2 for bad usage.</summary>
    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        log.WriteLine($"load average (1, 5, 15 min): {LoadAverage.AtStart}");
        if (settings.Mode == BenchMode.Vault && settings.Generator == GeneratorKind.Wrk)
        {
            log.WriteLine("--mode vault: only the built-in generator checks every answer's status and length; leave --generator out.");
            return 2;
        }

        var wrk = settings.Generator == GeneratorKind.Builtin || settings.Mode == BenchMode.Vault ? null : WrkGenerator.Find();
        if (settings.Generator == GeneratorKind.Wrk && wrk is null)
        {
            log.WriteLine("--generator wrk: wrk is not on PATH. Install it with: apt-get install -y wrk");
            return 2;
        }

        // The whole bench stops itself, whatever hangs.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(settings.Budget);
        var wall = Stopwatch.StartNew();
        try
        {
            await using ILoadBed bed = settings.Mode switch
            {
                BenchMode.Trivial => await TrivialBed.StartAsync(log, budget.Token, settings.KeywardMetricsOff ? MetricsOff : null),
                BenchMode.Vault => await VaultBed.StartAsync(log, budget.Token),
                _ => await TestBed.StartAsync(log, budget.Token),
            };
            using ILoadGenerator generator = wrk is null ? new ClosedLoopGenerator(bed.CaFile) : new WrkGenerator(wrk, bed.DataDirectory);
            var runner = new BenchRunner(settings, bed, generator, log);
            return await runner.RunCoreAsync(wall, budget.Token);
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
        var paths = _settings.OnlyPaths is { } only
            ? [.. _bed.Targets.Where(t => t.Name == TestBed.Direct || only.Contains(t.Name))]
            : _bed.Targets;
        foreach (var target in paths)
        {
            var value = await _bed.IncrementAsync(target, ct);
            _succeeded++;
            if (!target.ReachesUpstream)
            {
                _offUpstream++;
                _log.WriteLine($"pre-flight {target.Name,-8} 200, answer checked");
                continue;
            }

            _log.WriteLine($"pre-flight {target.Name,-8} 200, counter at {value}");
        }

        var passes = await WarmUpAsync(paths, ct);
        if (_failed > 0)
        {
            // A broken path would only fail again for the whole run.
            _log.WriteLine($"Requests failed during the warm-up; not measuring. First failure: {_firstError}");
            return 1;
        }

        for (var round = 0; round < _settings.Rounds; round++)
        {
            foreach (var target in paths.Skip(round % paths.Count).Concat(paths.Take(round % paths.Count)))
            {
                var sample = await RunOneAsync(target, _settings.Seconds, ct) with { Round = round };
                _samples.Add(sample);
                Progress($"round {round + 1}/{_settings.Rounds}", sample);
            }
        }

        var final = await _bed.IncrementAsync(paths.Single(t => t.Name == TestBed.Direct), ct);
        _succeeded++;
        var check = new CounterCheck(final, _succeeded - _offUpstream, _generator.CountsEveryRequest);
        if (_bed is VaultBed vault)
        {
            var run = new TrivialRun(_settings, _generator.Description, _generator is WrkGenerator, passes, paths, _samples, null, _succeeded, _failed, _firstError, check, wall.Elapsed);
            VaultReport.Write(Console.Out, run, vault);
            return run.Broken ? 1 : 0;
        }

        if (_bed is TrivialBed trivial)
        {
            var run = new TrivialRun(_settings, _generator.Description, _generator is WrkGenerator, passes, paths, _samples, trivial.NginxSkipped, _succeeded, _failed, _firstError, check, wall.Elapsed);
            TrivialReport.Write(Console.Out, run);
            return run.Broken ? 1 : 0;
        }

        var summaries = paths.ToDictionary(t => t.Name, t => TargetSummary.From(t, [.. _samples.Where(s => s.Target == t.Name)]), StringComparer.Ordinal);
        var report = new BenchReport(
            _settings,
            _generator.Description,
            _generator is WrkGenerator,
            TestBed.Root,
            passes,
            [.. paths.Select(t => summaries[t.Name])],
            _samples,
            PairedRatio.Of(TestBed.Keyward, TestBed.Yarp, _samples),
            PairedRatio.Of(TestBed.Yarp, TestBed.Direct, _samples),
            ProxyCost.From(summaries[TestBed.Direct], summaries[TestBed.Yarp], summaries[TestBed.Keyward]),
            _succeeded,
            _failed,
            _firstError,
            check,
            wall.Elapsed);
        MarkdownReport.Write(Console.Out, report);
        return report.Broken ? 1 : 0;
    }

    /// <summary>Warm-up passes over every path until one compiles few methods; returns how many passes ran.</summary>
    private async Task<int> WarmUpAsync(IReadOnlyList<Target> paths, CancellationToken ct)
    {
        var passes = 0;
        while (_settings.WarmUpSeconds > 0 && passes < _settings.MaxWarmUpPasses)
        {
            passes++;
            var compiled = JitInfo.GetCompiledMethodCount();
            foreach (var target in paths)
            {
                Progress($"warm-up {passes}", await RunOneAsync(target, _settings.WarmUpSeconds, ct));
            }

            compiled = JitInfo.GetCompiledMethodCount() - compiled;
            _log.WriteLine($"warm-up pass {passes}: the JIT compiled {compiled} methods in this process");
            if (compiled <= QuietJit)
            {
                break;
            }
        }

        return passes;
    }

    private async Task<RunSample> RunOneAsync(Target target, int seconds, CancellationToken ct)
    {
        GC.Collect();
        await Task.Delay(Settle, ct);
        var credential = target.Credential();
        var before = CpuSnapshot.Take(_bed);
        var result = await _generator.RunAsync(target, credential, TimeSpan.FromSeconds(seconds), _settings.Connections, ct);
        var cpu = CpuSnapshot.Take(_bed).Since(before);
        _succeeded += result.Succeeded;
        _offUpstream += target.ReachesUpstream ? 0 : result.Succeeded;
        _failed += result.Failed;
        _firstError ??= result.FirstError;
        return new RunSample(-1, target.Name, result, cpu);
    }

    private void Progress(string phase, RunSample s) =>
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{phase,-11} {s.Target,-10} {s.Result.RequestsPerSecond,8:N0} req/s  p50 {s.Result.P50Milliseconds,6:0.00} ms  p99 {s.Result.P99Milliseconds,6:0.00} ms  failed {s.Result.Failed}{(s.Result.FirstError is { } e ? "  " + e : string.Empty)}"));
}
