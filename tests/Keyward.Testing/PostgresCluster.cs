using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Keyward.Client;
using Npgsql;

namespace Keyward.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temporary folder, a server on a free loopback port,
/// trust authentication for the superuser <c>keyward</c>, durability off (fsync, synchronous commit,
/// full-page writes) because the data is discarded. Tests isolate by database
/// (<see cref="CreateDatabaseAsync"/>). Dispose stops the server immediately and deletes the folder.
/// </summary>
/// <remarks>
/// Needs the server binaries under /usr/lib/postgresql/&lt;version&gt;/bin (<c>.ci/install-postgres</c>);
/// never uses the distribution's service. As root, the binaries run as the <c>postgres</c> user.
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    /// <summary>The superuser the cluster is initialized with.</summary>
    public const string UserName = "keyward";

    /// <summary>The database created at start, named in <see cref="ConnectionString"/>.</summary>
    public const string DefaultDatabase = "keyward";

    private const int StartAttempts = 5;
    private static readonly TimeSpan InitTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<PostgresCluster, byte> Running = new();

    private readonly PostgresInstallation _installation;
    private readonly ConcurrentBag<string> _issued = [];
    private int _disposed;

    static PostgresCluster()
    {
        // A test host that exits without disposing (a crash in a fixture) must not leave servers behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var cluster in Running.Keys)
            {
                cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };
    }

    private PostgresCluster(PostgresInstallation installation, string rootDirectory)
    {
        _installation = installation;
        RootDirectory = rootDirectory;
    }

    /// <summary>The temporary folder holding the data directory, the server log and the Unix socket.</summary>
    public string RootDirectory { get; }

    /// <summary>The data directory (initdb's <c>-D</c>).</summary>
    public string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>The server log.</summary>
    public string LogFile => Path.Combine(RootDirectory, "log");

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>A pooled connection string to <see cref="DefaultDatabase"/>, as <see cref="UserName"/>.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// Starts a new cluster. Throws when PostgreSQL is not installed (saying to run <c>.ci/install-postgres</c>)
    /// or when the server does not start (with the tail of its log).
    /// </summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var installation = PostgresInstallation.Locate();
        var root = await installation.CreateWorkingDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var cluster = new PostgresCluster(installation, root);
        try
        {
            await cluster.InitAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            cluster.ConnectionString = await cluster.CreateDatabaseAsync(DefaultDatabase, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates an empty database and returns a pooled connection string to it. <paramref name="name"/> must be
    /// a lower-case identifier (letters, digits, underscores); when null, a unique name is chosen.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        name ??= "t_" + Guid.NewGuid().ToString("N");
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name: use 1-63 lower-case letters, digits and underscores, starting with a letter or underscore.", nameof(name));
        }

        // The name is validated above, so it is safe to splice: CREATE DATABASE takes no parameters.
        var admin = BuildConnectionString("postgres", pooling: false);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var connectionString = BuildConnectionString(name, pooling: true);
        _issued.Add(connectionString);
        return connectionString;
    }

    /// <summary>The last lines of the server log, for diagnosing a failure.</summary>
    public string ReadLogTail(int lines = 40) => ReadLogTail(LogFile, 0, lines);

    /// <summary>Stops the server immediately (no checkpoint: the data is discarded) and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var connectionString in _issued)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        await StopAsync().ConfigureAwait(false);
        TempDirectory.Delete(RootDirectory);
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        var init = await _installation.RunAsync(
            "initdb",
            ["-D", DataDirectory, "-U", UserName, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            RootDirectory,
            InitTimeout,
            cancellationToken).ConfigureAwait(false);
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed (exit code {init.ExitCode}) in {RootDirectory}:\n{init.Output}");
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var logStart = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
            var options = string.Join(
                ' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {port.ToString(CultureInfo.InvariantCulture)}",
                $"-c unix_socket_directories='{RootDirectory}'",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
            var start = await _installation.RunAsync(
                "pg_ctl",
                ["-D", DataDirectory, "-o", options, "-l", LogFile, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "start"],
                RootDirectory,
                StartTimeout + TimeSpan.FromSeconds(15),
                cancellationToken).ConfigureAwait(false);
            if (start.ExitCode == 0)
            {
                Port = port;
                Running.TryAdd(this, 0);
                return;
            }

            // The port was free when probed but another process may have taken it since: try another.
            var log = ReadLogTail(LogFile, logStart, 40);
            if (attempt < StartAttempts && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            throw new InvalidOperationException(
                $"PostgreSQL did not start (pg_ctl exit code {start.ExitCode}, attempt {attempt}, port {port}).\n" +
                $"pg_ctl: {start.Output.Trim()}\nLast lines of {LogFile}:\n{log}");
        }
    }

    private async Task StopAsync()
    {
        Running.TryRemove(this, out _);
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var stop = await _installation.RunAsync(
            "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], RootDirectory, StopTimeout, CancellationToken.None).ConfigureAwait(false);
        if (stop.ExitCode != 0)
        {
            // Last resort, so a failed stop does not leave a server running after the tests.
            KillPostmaster(pidFile);
        }
    }

    private static void KillPostmaster(string pidFile)
    {
        try
        {
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                using var postmaster = System.Diagnostics.Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not ours to kill.
        }
    }

    private string BuildConnectionString(string database, bool pooling) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = UserName,
        Database = database,
        Pooling = pooling,
    }.ConnectionString;

    private static string ReadLogTail(string path, long from, int lines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(could not read the server log: {e.Message})";
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
