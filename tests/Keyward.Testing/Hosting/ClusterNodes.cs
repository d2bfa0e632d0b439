using Npgsql;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Several Keyward nodes on one PostgreSQL database, in this process: each a <see cref="KeywardTestHost"/> on Kestrel
/// (real sockets, TLS from the shared local CA), started one after another on one shared data directory (the nodes
/// share their installation secret through it, and their signing keys through the database) and one clock. Tests talk to each node by index and
/// reach the database directly for what no node would do (revoking behind the nodes' backs, cutting a node's
/// connection). Reusable: any test that needs "the same thing seen from another node" starts one.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<KeywardTestHost> _nodes = [];
    private readonly TempDirectory _data = new("keyward-cluster-");
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly TimeProvider? _time;
    private readonly Action<int, Microsoft.Extensions.DependencyInjection.IServiceCollection>? _services;
    private string? _kekFile;

    private ClusterNodes(string connectionString, IReadOnlyDictionary<string, string> settings, TimeProvider? time, Action<int, Microsoft.Extensions.DependencyInjection.IServiceCollection>? services)
    {
        (_connectionString, _settings, _time, _services) = (connectionString, settings, time, services);
    }

    /// <summary>The nodes, in the order they started.</summary>
    public IReadOnlyList<KeywardTestHost> Nodes => _nodes;

    /// <summary>One node.</summary>
    public KeywardTestHost this[int index] => _nodes[index];

    /// <summary>The database every node uses.</summary>
    public string ConnectionString => _connectionString;

    /// <summary>
    /// Starts <paramref name="count"/> nodes on the database at <paramref name="connectionString"/> (a fresh one from
    /// <see cref="PostgresFixture.CreateDatabaseAsync"/>) with <paramref name="settings"/> for all, one clock
    /// (<paramref name="time"/>, default the system's) and per-node service overrides (<paramref name="services"/>, given
    /// the node's index). A node that starts while no admin exists issues a fresh setup code, replacing the one before:
    /// to sign in through the first node's setup code, start one node, register, then <see cref="AddNodeAsync"/>.
    /// </summary>
    public static async Task<ClusterNodes> StartAsync(
        string connectionString, int count, IReadOnlyDictionary<string, string>? settings = null, TimeProvider? time = null,
        Action<int, Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var cluster = new ClusterNodes(connectionString, settings ?? new Dictionary<string, string>(), time, services);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddNodeAsync();
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node on the same database, data directory and clock.</summary>
    public async Task<KeywardTestHost> AddNodeAsync()
    {
        var index = _nodes.Count;
        var settings = new Dictionary<string, string>(_settings, StringComparer.OrdinalIgnoreCase);
        // Every node of one cluster is given the same cluster key-encryption key (the signing keys are shared through the database).
        _kekFile ??= KeywardStorage.WriteClusterKek(_data.Path);
        foreach (var (key, value) in KeywardStorage.Postgres(_connectionString, _kekFile))
        {
            settings[key] = value;
        }

        var node = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = _data.Path,
            Settings = settings,
            Time = _time,
            Services = _services is null ? null : s => _services(index, s),
        });
        _nodes.Add(node);
        return node;
    }

    /// <summary>The database backends whose <c>application_name</c> starts with <paramref name="prefix"/>: (pid, name).</summary>
    public async Task<IReadOnlyList<(int Pid, string Name)>> BackendsAsync(string prefix)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND starts_with(application_name, @prefix)", connection);
        command.Parameters.AddWithValue("prefix", prefix);
        var found = new List<(int, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        return found;
    }

    /// <summary>Terminates (<c>pg_terminate_backend</c>) every backend named exactly <paramref name="applicationName"/>; returns how many.</summary>
    public async Task<int> TerminateAsync(string applicationName)
    {
        var count = 0;
        foreach (var (pid, name) in await BackendsAsync(applicationName))
        {
            if (name == applicationName)
            {
                await using var connection = await OpenAsync();
                await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
                command.Parameters.AddWithValue("pid", pid);
                count += await command.ExecuteScalarAsync() is true ? 1 : 0;
            }
        }

        return count;
    }

    /// <summary>Runs a statement on the database behind every node's back (no node is told); returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query on the database behind every node's back (its own connection); returns the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>Stops every node, then deletes the shared data directory and gives the pooled connections back.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _data.Dispose();
        using var pooled = new NpgsqlConnection(_connectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    // Not pooled: the fixture's own connections must never be the ones a test terminates or counts.
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "keyward-tests" }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
