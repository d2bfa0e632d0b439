using System.Globalization;

namespace Keyward.LoadBench.Cluster;

/// <summary>
/// Issue 13's "Speed" figures: <c>--mode cluster-revoke</c> (cross-node revocation latency, and database commands per
/// proxied request) and <c>--mode session-cache</c> (1,000,000 live sessions in one node's cache). They parse their own
/// few flags, so the load runs' option set stays as it is. Exit 0 when every check held, 1 when one failed, 2 on bad flags.
/// </summary>
internal static class ClusterModes
{
    public const string Revoke = "cluster-revoke";
    public const string SessionCache = "session-cache";

    /// <summary>True when <paramref name="args"/> asks for one of these modes.</summary>
    public static bool Matches(string[] args) => ModeOf(args) is Revoke or SessionCache;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        int? Flag(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : at >= 0 ? -1 : null;
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        if (ModeOf(args) == Revoke)
        {
            var logouts = Flag("--logouts") ?? (quick ? 50 : 1_000);
            if (logouts < 1)
            {
                Console.Error.WriteLine("--logouts takes a positive whole number (the issue's figure is 1000).");
                return 2;
            }

            return await ClusterRevokeBench.RunAsync(logouts, cancel.Token);
        }

        var sessions = Flag("--sessions") ?? (quick ? 20_000 : 1_000_000);
        if (sessions is < 2_000 or > 10_000_000)
        {
            Console.Error.WriteLine("--sessions takes a whole number from 2000 to 10000000 (the issue's figure is 1000000; the small size is 1000).");
            return 2;
        }

        return await SessionCacheBench.RunAsync(sessions, cancel.Token);
    }

    private static string? ModeOf(string[] args)
    {
        var at = Array.IndexOf(args, "--mode");
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The load averages (1, 5, 15 min) from /proc/loadavg, or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
