using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Keyward.Testing;

/// <summary>
/// The installed PostgreSQL server binaries and how to run them. initdb and postgres refuse to run
/// as root, so a root process runs them as Debian's <c>postgres</c> system user through runuser.
/// </summary>
internal sealed class PostgresInstallation
{
    /// <summary>Overrides where the binaries are looked for (a folder holding initdb and pg_ctl).</summary>
    public const string BinDirectoryVariable = "KEYWARD_POSTGRES_BIN";

    private const string DebianRoot = "/usr/lib/postgresql";
    private const string ServerUser = "postgres";

    private PostgresInstallation(string binDirectory, bool runAsServerUser)
    {
        BinDirectory = binDirectory;
        RunAsServerUser = runAsServerUser;
    }

    /// <summary>The folder holding initdb, pg_ctl and postgres.</summary>
    public string BinDirectory { get; }

    /// <summary>Whether the binaries run as the <c>postgres</c> user (this process is root).</summary>
    public bool RunAsServerUser { get; }

    /// <summary>Finds the newest installed version; throws, saying how to install one, when there is none.</summary>
    public static PostgresInstallation Locate()
    {
        var bin = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        var searched = $"{BinDirectoryVariable}={bin}";
        if (string.IsNullOrEmpty(bin))
        {
            searched = $"{DebianRoot}/<version>/bin";
            bin = Directory.Exists(DebianRoot)
                ? Directory.EnumerateDirectories(DebianRoot)
                    .Select(dir => (Dir: dir, Version: ParseVersion(Path.GetFileName(dir))))
                    .Where(v => v.Version is not null && File.Exists(Path.Combine(v.Dir, "bin", "initdb")))
                    .OrderByDescending(v => v.Version)
                    .Select(v => Path.Combine(v.Dir, "bin"))
                    .FirstOrDefault()
                : null;
        }

        if (bin is null || !File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not installed: no initdb and pg_ctl in {searched}. These tests start their own " +
                $"throwaway cluster from the installed binaries; install them with `sudo .ci/install-postgres` " +
                $"(or point {BinDirectoryVariable} at a folder holding initdb and pg_ctl).");
        }

        var asServerUser = Environment.IsPrivilegedProcess;
        if (asServerUser && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/runuser"))
        {
            throw new InvalidOperationException("Running as root, PostgreSQL must run as the 'postgres' user, but runuser (util-linux) is missing.");
        }

        return new PostgresInstallation(bin, asServerUser);
    }

    /// <summary>
    /// Creates an empty folder the server may own: under the temporary directory, or, when root and that
    /// directory is closed to other users, under /tmp.
    /// </summary>
    public async Task<string> CreateWorkingDirectoryAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The throwaway PostgreSQL cluster runs on Linux (Debian's packages).");
        }

        var parent = Path.GetTempPath();
        if (RunAsServerUser && !OthersCanTraverse(parent))
        {
            parent = "/tmp";
        }

        var path = Path.Combine(parent, "keyward-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (RunAsServerUser)
        {
            var chown = await RunProcessAsync("chown", [ServerUser + ":", path], parent, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (chown.ExitCode != 0)
            {
                Directory.Delete(path);
                throw new InvalidOperationException(
                    $"Running as root, PostgreSQL must run as the '{ServerUser}' user (created by Debian's postgresql package), " +
                    $"but `chown {ServerUser}: {path}` failed: {chown.Output.Trim()}. Install the package with `sudo .ci/install-postgres`.");
            }
        }

        return path;
    }

    /// <summary>Runs a PostgreSQL tool (initdb, pg_ctl) to completion, as the server user when root.</summary>
    public Task<ToolResult> RunAsync(string tool, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(BinDirectory, tool);
        return RunAsServerUser
            ? RunProcessAsync("runuser", ["-u", ServerUser, "--", path, .. arguments], workingDirectory, timeout, cancellationToken)
            : RunProcessAsync(path, arguments, workingDirectory, timeout, cancellationToken);
    }

    private static async Task<ToolResult> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server user may not be able to enter this process's current directory.
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings from the developer's shell must not redirect the tools to another cluster.
        foreach (var name in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"`{fileName} {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Output so far:\n{Snapshot(output)}");
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        return new ToolResult(process.ExitCode, Snapshot(output));
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

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
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

    private static Version? ParseVersion(string name) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? new Version(major, 0)
        : Version.TryParse(name, out var version) ? version
        : null;
}
