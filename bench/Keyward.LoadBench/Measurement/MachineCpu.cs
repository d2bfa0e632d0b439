using System.Globalization;

namespace Keyward.LoadBench.Measurement;

/// <summary>
/// The whole machine's CPU time from <c>/proc/stat</c> (every process, ours and other users'), in clock ticks.
/// Busy is everything but idle and iowait. Zero on systems without <c>/proc/stat</c>.
/// </summary>
internal static class MachineCpu
{
    private const string StatPath = "/proc/stat";

    public static (long Busy, long Total) Read()
    {
        if (!File.Exists(StatPath))
        {
            return (0, 0);
        }

        using var reader = new StreamReader(StatPath);
        var line = reader.ReadLine();
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return (0, 0);
        }

        // cpu user nice system idle iowait irq softirq steal [guest guest_nice] — guest time is already in user.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        if (fields.Length < 5)
        {
            return (0, 0);
        }

        var total = fields.Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }
}
