using System.Globalization;

namespace Keyward.LoadBench.Measurement;

/// <summary>
/// CPU time of this process's finished, waited-for children (<c>cutime + cstime</c> in <c>/proc/self/stat</c>):
/// how wrk's CPU is measured, since a wrk run has exited and been reaped when its run ends. The counter is still
/// running, so it never shows here. Zero on systems without <c>/proc</c>.
/// </summary>
internal static class ChildCpu
{
    private const string StatPath = "/proc/self/stat";

    /// <summary>USER_HZ: the unit of <c>/proc</c> CPU times, 100 on every Linux architecture's userspace interface.</summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Read()
    {
        if (!File.Exists(StatPath))
        {
            return TimeSpan.Zero;
        }

        // pid (comm) state ppid …: the command name may hold spaces, so split after its closing parenthesis.
        var stat = File.ReadAllText(StatPath);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // Fields 16 and 17 of proc(5) (1-based, counting pid and comm) are fields 13 and 14 after comm (0-based).
        var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
