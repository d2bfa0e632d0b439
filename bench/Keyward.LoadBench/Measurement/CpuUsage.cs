namespace Keyward.LoadBench.Measurement;

/// <summary>
/// CPU used during one run: by the bench process (Keyward, the plain proxy and, with the built-in generator, the
/// generator), by an external generator (wrk; zero for the built-in one), by the upstream (the counter or the
/// trivial upstream), by nginx (zero in the counter mode), and by the whole machine as a fraction of all cores —
/// every process, other users' too (null where unknown).
/// </summary>
internal sealed record CpuUsage(TimeSpan Bench, TimeSpan External, TimeSpan Counter, TimeSpan Wall, double? MachineBusy)
{
    /// <summary>nginx's master and workers.</summary>
    public TimeSpan Nginx { get; init; }

    /// <summary>The share of all cores the bench, its generator, the upstream and nginx used together.</summary>
    public double Ours => Wall > TimeSpan.Zero ? (Bench + External + Counter + Nginx) / (Wall * Environment.ProcessorCount) : 0;
}
