using Keyward.LoadBench.Load;
using Keyward.LoadBench.Measurement;

namespace Keyward.LoadBench.Reporting;

/// <summary>One measured run: a target in a round, with the CPU it cost.</summary>
internal sealed record RunSample(int Round, string Target, RunResult Result, CpuUsage Cpu)
{
    /// <summary>CPU microseconds per successful request in the bench process (proxy, and the built-in generator).</summary>
    public double BenchMicroseconds => PerRequest(Cpu.Bench);

    /// <summary>CPU microseconds per successful request in an external generator (wrk), zero for the built-in one.</summary>
    public double ExternalMicroseconds => PerRequest(Cpu.External);

    /// <summary>CPU microseconds per successful request in the counter.</summary>
    public double CounterMicroseconds => PerRequest(Cpu.Counter);

    private double PerRequest(TimeSpan cpu) => Result.Succeeded > 0 ? cpu.TotalMicroseconds / Result.Succeeded : 0;
}
