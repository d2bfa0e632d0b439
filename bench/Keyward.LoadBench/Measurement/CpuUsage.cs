namespace Keyward.LoadBench.Measurement;

/// <summary>
/// CPU used during one run: by the bench process (Keyward, the plain proxy and, with the built-in generator, the
/// generator), by an external generator (wrk; zero for the built-in one), by the counter, and by the whole machine
/// as a fraction of all cores — every process, other users' too (null where unknown).
/// </summary>
internal sealed record CpuUsage(TimeSpan Bench, TimeSpan External, TimeSpan Counter, TimeSpan Wall, double? MachineBusy)
{
    /// <summary>The share of all cores the bench, its generator and the counter used together.</summary>
    public double Ours => Wall > TimeSpan.Zero ? (Bench + External + Counter) / (Wall * Environment.ProcessorCount) : 0;
}
