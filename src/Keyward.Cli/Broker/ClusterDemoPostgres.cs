using System.Diagnostics;
using System.Globalization;
using System.Text;
using Keyward.Client;
using Npgsql;

namespace Keyward.Cli.Broker;

/// <summary>
/// The throwaway PostgreSQL of <c>keyward demo cluster</c>: Debian's server binaries (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>,
/// the newest) run from a folder of the demo's temporary directory: <c>initdb</c> with trust authentication for the
/// superuser <c>keyward</c>, <c>pg_ctl start</c> on a free loopback port with its Unix socket in that folder and
/// durability off (the data is thrown away), then a database <c>keyward</c>. Stopped with <c>pg_ctl -m immediate</c>.
/// As root, the binaries run as Debian's <c>postgres</c> user through runuser (initdb and postgres refuse root). The
/// same steps as the tests' PostgresCluster, which the command line cannot reference.
/// </summary>
internal sealed class ClusterDemoPostgres
{
    /// <summary>The exact command that installs what is missing (Debian and Ubuntu).</summary>
    public const string InstallCommand = "sudo apt-get install -y postgresql";

    private const string DebianRoot = "/usr/lib/postgresql";
    private const string ServerUser = "postgres";
    private const string UserName = "keyward";
    private static readonly TimeSpan ToolBound = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly bool _asServerUser;
    private int _stopped;

    private ClusterDemoPostgres(string bin, bool asServerUser, string root)
    {
        _bin = bin;
        _asServerUser = asServerUser;
        Root = root;
    }

    /// <summary>The folder holding the data directory, the server log and the Unix socket.</summary>
    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public string LogFile => Path.Combine(Root, "log");

    public int Port { get; private set; }

    /// <summary>What every node is given: the <c>keyward</c> database on the loopback port.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = UserName, Database = "keyward" }.ConnectionString;

    /// <summary>The newest installed server binaries, or null with the line that says how to install them.</summary>
    public static string? FindBinaries(out string problem)
    {
        var bin = Directory.Exists(DebianRoot)
            ? Directory.EnumerateDirectories(DebianRoot)
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(v => v.Version >= 0 && File.Exists(Path.Combine(v.Dir, "bin", "initdb")) && File.Exists(Path.Combine(v.Dir, "bin", "pg_ctl")))
                .OrderByDescending(v => v.Version)
                .Select(v => Path.Combine(v.Dir, "bin"))
                .FirstOrDefault()
            : null;
        problem = bin is null
            ? $"PostgreSQL is not installed: no initdb and pg_ctl under {DebianRoot}/<version>/bin. Install the server binaries with `{InstallCommand}` "
              + "(the demo starts its own throwaway server from them in a temporary directory; it never uses the system's service)."
            : Environment.IsPrivilegedProcess && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/runuser")
                ? "Running as root, PostgreSQL must run as the 'postgres' user, but runuser is missing. Install it with `sudo apt-get install -y util-linux`."
                : string.Empty;
        return problem.Length == 0 ? bin : null;
    }

    /// <summary>initdb in <paramref name="root"/> (created here, owned by the server user when root), then start.</summary>
    public static async Task<ClusterDemoPostgres> StartAsync(string bin, string root, CancellationToken ct)
    {
        var asServerUser = Environment.IsPrivilegedProcess;
        ClusterDemo.PrivateDirectory(root);
        var postgres = new ClusterDemoPostgres(bin, asServerUser, root);
        if (asServerUser)
        {
            var chown = await RunAsync("chown", [ServerUser + ":", root], root, ct).ConfigureAwait(false);
            if (chown.Exit != 0)
            {
                throw new InvalidOperationException($"running as root, PostgreSQL must run as the '{ServerUser}' user, but `chown {ServerUser}: {root}` failed: {chown.Output.Trim()}");
            }
        }

        var init = await postgres.ToolAsync("initdb", ["-D", postgres.DataDirectory, "-U", UserName, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], ct).ConfigureAwait(false);
        if (init.Exit != 0)
        {
            throw new InvalidOperationException($"initdb failed ({init.Exit}): {Tail(init.Output)}");
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var options = string.Join(
                ' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                $"-c unix_socket_directories='{root}'",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
            var start = await postgres.ToolAsync("pg_ctl", ["-D", postgres.DataDirectory, "-o", options, "-l", postgres.LogFile, "-w", "-t", "60", "start"], ct).ConfigureAwait(false);
            if (start.Exit == 0)
            {
                postgres.Port = port;
                break;
            }

            // The port was free when probed; another process may have taken it since.
            var log = File.Exists(postgres.LogFile) ? File.ReadAllText(postgres.LogFile) : string.Empty;
            if (attempt >= 3 || !log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl {start.Exit}): {Tail(start.Output)} {Tail(log)}");
            }
        }

        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = postgres.Port, Username = UserName, Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var create = new NpgsqlCommand("CREATE DATABASE keyward", connection);
        await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return postgres;
    }

    /// <summary>
    /// <c>pg_ctl -m immediate stop</c> (the data is thrown away, so no checkpoint), the postmaster killed if that
    /// fails. Synchronous and safe to call twice: it also runs from ProcessExit when the demo is interrupted.
    /// </summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || !File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        var stop = ToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None).GetAwaiter().GetResult();
        if (stop.Exit != 0 && File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault() is { } first
            && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private Task<(int Exit, string Output)> ToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var path = Path.Combine(_bin, tool);
        return _asServerUser
            ? RunAsync("runuser", ["-u", ServerUser, "--", path, .. arguments], Root, ct)
            : RunAsync(path, arguments, Root, ct);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // The server user may not be able to enter this process's current directory.
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The caller's shell settings must not point the tools at another server.
        foreach (var name in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS" })
        {
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var output = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, output), PumpAsync(process.StandardError, output));
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(ToolBound);
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within {ToolBound.TotalSeconds:0} s");
        }

        await pumps.ConfigureAwait(false);
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }

    private static string Tail(string text) => string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(5));
}
