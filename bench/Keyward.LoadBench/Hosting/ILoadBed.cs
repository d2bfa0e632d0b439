using Keyward.LoadBench.Load;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// What a load run drives: the targets (one per front end, all ending at one upstream that counts its requests), a
/// one-off request for the pre-flight check and the final count, and the CPU of the processes outside the bench.
/// </summary>
internal interface ILoadBed : IAsyncDisposable
{
    IReadOnlyList<Target> Targets { get; }

    /// <summary>The temporary directory everything lives in (deleted on dispose).</summary>
    string DataDirectory { get; }

    /// <summary>The PEM file of the CA every certificate in the bed comes from; the built-in generator trusts only it.</summary>
    string CaFile { get; }

    /// <summary>CPU time of the upstream process so far (the counter, or the trivial upstream).</summary>
    TimeSpan UpstreamCpu { get; }

    /// <summary>CPU time of nginx's master and workers so far; zero when the bed runs no nginx.</summary>
    TimeSpan NginxCpu { get; }

    /// <summary>One request through <paramref name="target"/>; the upstream's count afterwards.</summary>
    Task<long> IncrementAsync(Target target, CancellationToken cancellationToken);
}
