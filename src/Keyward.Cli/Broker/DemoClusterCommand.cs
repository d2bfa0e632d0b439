using System.CommandLine;

namespace Keyward.Cli.Broker;

/// <summary>
/// <c>keyward demo cluster</c>: several nodes on one PostgreSQL behind a balancer, with real processes (issue 13, item 6;
/// the walk is <see cref="ClusterDemo"/>). Exits 0 only when every planned check ran and passed; 2 when PostgreSQL or
/// nginx is missing, with the command that installs it.
/// </summary>
internal static class DemoClusterCommand
{
    public static Command Create()
    {
        var logouts = new Option<int>("--logouts") { Description = "Logouts over which the cross-node revocation latency is measured.", DefaultValueFactory = _ => 50 };
        var cluster = new Command(
            "cluster",
            "Several nodes for real: a throwaway PostgreSQL (Debian's binaries, in a temporary directory), two keyward serve nodes on it with one cluster key-encryption key, "
            + "and nginx round-robin in front, all with TLS; sign-in through the balancer, a logout on one node refused on the other and its latency, "
            + "a WebSocket ticket raced over both nodes, kill -9 of a node under a stream of writes, and the audit log verified.");
        cluster.Options.Add(logouts);
        cluster.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(logouts);
            if (n is < 1 or > 100_000)
            {
                Console.Error.WriteLine("--logouts must be between 1 and 100000.");
                return 2;
            }

            if (!OperatingSystem.IsLinux())
            {
                Console.Error.WriteLine("keyward demo cluster runs on Linux (Debian's PostgreSQL and nginx packages).");
                return 2;
            }

            // Checked before anything starts: what is missing gets one plain line with the command that installs it.
            if (ClusterDemoPostgres.FindBinaries(out var problem) is not { } postgres)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }

            if (ClusterDemoNginx.Find() is not { } nginx)
            {
                Console.Error.WriteLine($"nginx is not installed (not on PATH nor in /usr/sbin): the demo runs it as the balancer in front of the nodes. Install it with `{ClusterDemoNginx.InstallCommand}`.");
                return 2;
            }

            if (!CounterProcess.TryFind(AppContext.BaseDirectory, "src/Keyward.Cli", out var counter, out problem))
            {
                Console.Error.WriteLine(problem);
                return 2;
            }

            var directory = CreateDirectory();

            // Ctrl+C cancels the walk and its cleanup runs; should the process end first, the directory still goes.
            EventHandler removeAtExit = (_, _) => TryDelete(directory);
            AppDomain.CurrentDomain.ProcessExit += removeAtExit;
            try
            {
                return await ClusterDemo.RunAsync(directory, n, postgres, nginx, counter, ct).ConfigureAwait(false);
            }
            finally
            {
                AppDomain.CurrentDomain.ProcessExit -= removeAtExit;
                TryDelete(directory);
            }
        });
        return cluster;
    }

    /// <summary>
    /// The demo's temporary directory. As root, PostgreSQL runs as the <c>postgres</c> user, which must reach its folder
    /// inside: the directory is then made traversable (not readable) by others, under /tmp when the temporary directory's
    /// own parents are closed to them. Every secret in it (key files, the CA key) is mode 0600 on its own.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string CreateDirectory()
    {
        var parent = Path.GetTempPath();
        if (Environment.IsPrivilegedProcess && !OthersCanTraverse(parent))
        {
            parent = "/tmp";
        }

        var path = Path.Combine(parent, "keyward-demo-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(path, Environment.IsPrivilegedProcess ? mode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : mode);
        return path;
    }

    private static bool OthersCanTraverse(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (!dir.Exists || (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
