using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Keyward.Samples.Counter;

/// <summary>
/// The counter in its own SQLite file (WAL). An increment is one statement, so the database, not this process,
/// makes it atomic: concurrent requests in any number of threads or processes never lose or repeat a value.
/// </summary>
internal sealed class CounterStore
{
    private const string IncrementSql = "UPDATE counter SET value = value + 1 WHERE id = 1 RETURNING value;";

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    public CounterStore(IOptions<CounterOptions> options)
    {
        var settings = options.Value;
        DatabasePath = Path.Combine(Path.GetFullPath(settings.DataDirectory), "counter.db");
        _busyTimeoutMilliseconds = (int)settings.BusyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite also retries SQLITE_BUSY until the command timeout.
            DefaultTimeout = (int)Math.Ceiling(settings.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Creates the directory, the file and the single row if missing, and switches the file to WAL.</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        using var connection = Open();
        using var command = connection.CreateCommand();
        // WAL lets readers and the writer proceed together; the setting is stored in the file.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Could not switch {DatabasePath} to WAL (journal mode is '{mode}'); put the data directory on a local file system.");
        }

        command.CommandText = """
            CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
            INSERT OR IGNORE INTO counter (id, value) VALUES (1, 0);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Adds one and returns the new value. Not cancellable: once sent, the increment completes.</summary>
    public async Task<long> IncrementAsync()
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = IncrementSql;
        var value = await command.ExecuteScalarAsync(CancellationToken.None);
        return value is long n ? n : throw new InvalidOperationException($"The counter row is missing from {DatabasePath}.");
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // SQLite's own busy handler: a writer waits for the lock instead of failing with SQLITE_BUSY.
        command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};";
        command.ExecuteNonQuery();
        return connection;
    }
}
