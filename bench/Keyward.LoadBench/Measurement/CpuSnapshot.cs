using System.Diagnostics;
using Keyward.LoadBench.Hosting;

namespace Keyward.LoadBench.Measurement;

/// <summary>CPU counters at one instant; the difference of two is a <see cref="CpuUsage"/>.</summary>
internal readonly record struct CpuSnapshot(TimeSpan Bench, TimeSpan Children, TimeSpan Counter, TimeSpan Nginx, long MachineBusy, long MachineTotal, long Timestamp)
{
    public static CpuSnapshot Take(ILoadBed bed)
    {
        using var self = Process.GetCurrentProcess();
        var (busy, total) = MachineCpu.Read();
        return new CpuSnapshot(self.TotalProcessorTime, ChildCpu.Read(), bed.UpstreamCpu, bed.NginxCpu, busy, total, Stopwatch.GetTimestamp());
    }

    public CpuUsage Since(CpuSnapshot start)
    {
        var total = MachineTotal - start.MachineTotal;
        return new CpuUsage(
            Bench - start.Bench,
            Children - start.Children,
            Counter - start.Counter,
            Stopwatch.GetElapsedTime(start.Timestamp, Timestamp),
            total > 0 ? (double)(MachineBusy - start.MachineBusy) / total : null)
        {
            Nginx = Nginx - start.Nginx,
        };
    }
}
