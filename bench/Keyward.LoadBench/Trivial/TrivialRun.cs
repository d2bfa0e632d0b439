using Keyward.LoadBench.Load;
using Keyward.LoadBench.Reporting;

namespace Keyward.LoadBench.Trivial;

/// <summary>Everything one trivial-upstream run found, for <see cref="TrivialReport"/>.</summary>
internal sealed record TrivialRun(
    BenchSettings Settings,
    string Generator,
    bool ExternalGenerator,
    int WarmUpPasses,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<RunSample> Samples,
    string? NginxSkipped,
    long Succeeded,
    long Failed,
    string? FirstError,
    CounterCheck Counter,
    TimeSpan Wall)
{
    /// <summary>True when a request failed or the upstream's count disagrees with ours: the numbers cannot be trusted.</summary>
    public bool Broken => Failed > 0 || !Counter.Passed;

    /// <summary>
    /// What the bench process spends on the direct path, where neither YARP nor Keyward has work: with wrk, a rate
    /// (background threads, timers, the tiering JIT — CPU seconds per second, whatever the request count); with the
    /// built-in generator, CPU per request (the generator's own cost, which scales with the requests it sends).
    /// </summary>
    public double BenchBaseline => ExternalGenerator
        ? Percentiles.Median(Of(TrivialBed.Direct).Select(s => s.Cpu.Wall > TimeSpan.Zero ? s.Cpu.Bench / s.Cpu.Wall : 0))
        : Percentiles.Median(Of(TrivialBed.Direct).Select(s => s.BenchMicroseconds));

    /// <summary>
    /// The upstream's CPU per request for the resource alone, reached the way nginx reaches it (HTTP/1.1 keep-alive
    /// over TLS): its figure on nginx proxy_pass's path. On nginx auth_request's path the rest is its auth endpoint.
    /// </summary>
    public double UpstreamBaseline => Percentiles.Median(Of(TrivialBed.Nginx).Select(s => s.CounterMicroseconds));

    public IEnumerable<RunSample> Of(string target) => Samples.Where(s => s.Target == target);

    /// <summary>
    /// A front end's own CPU per request in one run, in microseconds. nginx: its master's and workers'. YARP and
    /// Keyward run in the bench process: its CPU less <see cref="BenchBaseline"/>. Zero for the direct path.
    /// nginx auth_request's auth endpoint is not in it (<see cref="AuthEndpoint"/>).
    /// </summary>
    public double FrontEnd(RunSample s)
    {
        if (s.Result.Succeeded == 0 || s.Target == TrivialBed.Direct)
        {
            return 0;
        }

        if (s.Target is TrivialBed.Nginx or TrivialBed.NginxAuth)
        {
            return s.Cpu.Nginx.TotalMicroseconds / s.Result.Succeeded;
        }

        return ExternalGenerator
            ? (s.Cpu.Bench - (s.Cpu.Wall * BenchBaseline)).TotalMicroseconds / s.Result.Succeeded
            : s.BenchMicroseconds - BenchBaseline;
    }

    /// <summary>The upstream's CPU per request beyond its resource-only figure: on nginx auth_request's path, its auth endpoint.</summary>
    public double AuthEndpoint(RunSample s) => s.CounterMicroseconds - UpstreamBaseline;

    /// <summary>Per round, <paramref name="value"/> of one target over another's (rounds that lack either are left out).</summary>
    public IReadOnlyList<double> PerRound(string numerator, string denominator, Func<RunSample, double> value) =>
        [.. Samples.GroupBy(s => s.Round).OrderBy(g => g.Key)
            .Select(g => (Top: g.FirstOrDefault(s => s.Target == numerator), Bottom: g.FirstOrDefault(s => s.Target == denominator)))
            .Where(p => p.Top is not null && p.Bottom is not null && value(p.Bottom) > 0)
            .Select(p => value(p.Top!) / value(p.Bottom!))];
}
