using System.Globalization;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;
using Keyward.Server.Tls;
using Keyward.Testing;
using Npgsql;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// A real Keyward cluster, started once per test class (issue 13 item 5): a throwaway PostgreSQL cluster
/// (<see cref="PostgresCluster"/>), three <c>keyward serve</c> processes on one database — each its own data directory
/// and port, TLS from one local CA, the one cluster key-encryption key file (mode 0600) and the first node's
/// installation secret, as docs/operating.md says every node must be given — and Debian's nginx as a round-robin
/// balancer in front (<see cref="NginxBalancer"/>). One route, <c>app</c> at <c>/resource/{**rest}</c>, with
/// WebSockets, to <see cref="ClusterUpstream"/>. The first admin is registered at start with <see cref="AdminKey"/>.
/// </summary>
public sealed class RealCluster : IAsyncLifetime
{
    public const int NodeCount = 3;

    /// <summary>How long a node waits to listen again after its listener connection was cut: long enough to watch it down.</summary>
    public static readonly TimeSpan ListenerReconnectDelay = TimeSpan.FromSeconds(4);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("keyward-cluster-test-");
    private readonly List<RealClusterNode> _nodes = [];
    private PostgresCluster? _postgres;
    private NginxBalancer? _balancer;
    private ClusterUpstream? _upstream;

    /// <summary>The admin's virtual security key (the admin account is "admin").</summary>
    public VirtualAuthenticator AdminKey { get; } = VirtualAuthenticator.Create();

    /// <summary>The cluster's public origin: the balancer's (https://localhost:port).</summary>
    public string Origin { get; private set; } = string.Empty;

    /// <summary>The cluster's local CA (PEM), which every node's and the balancer's certificate chains to.</summary>
    public string CaFile { get; private set; } = string.Empty;

    /// <summary>The balancer: what a browser or client of the deployment talks to.</summary>
    internal TlsEndpoint Balancer { get; private set; } = null!;

    internal IReadOnlyList<RealClusterNode> Nodes => _nodes;

    internal ClusterUpstream Upstream => _upstream!;

    /// <summary>The shared database, as the nodes reach it.</summary>
    public string ConnectionString => _postgres!.ConnectionString;

    internal string Keyward { get; } = CliBinaries.Keyward();

    internal string Root => _root.FullName;

    public async Task InitializeAsync()
    {
        var nginx = NginxBalancer.Find() ?? throw new InvalidOperationException($"nginx is not installed: {NginxBalancer.InstallHint}.");
        _ = nginx;
        _postgres = await PostgresCluster.StartAsync();
        _upstream = await ClusterUpstream.StartAsync();

        // The cluster's secrets and CA, made once and handed to every node as an operator would.
        var shared = Directory.CreateDirectory(Path.Combine(Root, "shared")).FullName;
        var kek = KeywardStorage.WriteClusterKek(shared);
        var ca = new LocalCertificateAuthority(shared, TimeProvider.System);
        ca.LoadOrCreateCa().Dispose();
        CaFile = ca.CaCertificatePath;
        var (balancerCertificate, balancerKey) = ca.IssueFiles("balancer", []);

        var balancerPort = FreePort.Next();
        Origin = $"https://localhost:{balancerPort.ToString(CultureInfo.InvariantCulture)}";
        Balancer = new TlsEndpoint(Origin, new Uri(Origin), CaFile);
        for (var i = 0; i < NodeCount; i++)
        {
            _nodes.Add(CreateNode(i, kek, shared));
        }

        // The first node alone first: it prints the setup code the admin registers with, and makes the installation
        // secret the others are given before their first start.
        await _nodes[0].StartAsync(Keyward);
        var setupCode = _nodes[0].SetupCode ?? throw new InvalidOperationException($"node 0 printed no setup code:\n{_nodes[0].Output}");
        using (var first = new KeywardTestClient(_nodes[0].Endpoint, AdminKey))
        {
            await first.RegisterAdminAsync(setupCode);
        }

        foreach (var node in _nodes.Skip(1))
        {
            CopyPrivate(Path.Combine(_nodes[0].DataDirectory, "instance.key"), Path.Combine(node.DataDirectory, "instance.key"));
        }

        await Task.WhenAll(_nodes.Skip(1).Select(n => n.StartAsync(Keyward)));
        _balancer = await NginxBalancer.StartAsync(Root, balancerPort, [.. _nodes.Select(n => n.Port)], balancerCertificate, balancerKey, CaFile);
    }

    /// <summary>A client of <paramref name="endpoint"/> holding the admin's key.</summary>
    internal KeywardTestClient AdminClient(TlsEndpoint endpoint) => new(endpoint, AdminKey);

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

    /// <summary>
    /// The PostgreSQL backend of <paramref name="node"/>'s revocation listener (application name
    /// <c>keyward-revocations-&lt;node id&gt;</c>), found by the client port of a connection that node's process owns;
    /// null while it has none.
    /// </summary>
    internal async Task<int?> ListenerBackendAsync(RealClusterNode node)
    {
        var ports = ProcessSockets.LocalTcpPorts(node.ProcessId);
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() AND starts_with(application_name, 'keyward-revocations-')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!reader.IsDBNull(1) && ports.Contains(reader.GetInt32(1)))
            {
                return reader.GetInt32(0);
            }
        }

        return null;
    }

    /// <summary><c>pg_terminate_backend</c>: cuts that connection from the server's side.</summary>
    public async Task<bool> TerminateBackendAsync(int pid)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", pid);
        return await command.ExecuteScalarAsync() is true;
    }

    public async Task DisposeAsync()
    {
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _root.Delete(recursive: true);
    }

    private RealClusterNode CreateNode(int index, string kek, string shared)
    {
        var data = Path.Combine(Root, $"node{index.ToString(CultureInfo.InvariantCulture)}");
        var tls = Path.Combine(data, "tls");
        Directory.CreateDirectory(tls);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(tls, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var file in new[] { "ca.pem", "ca.key" })
        {
            CopyPrivate(Path.Combine(shared, "tls", file), Path.Combine(tls, file));
        }

        var port = FreePort.Next();
        string[] arguments =
        [
            "serve", "--data-dir", data, "--listen", $"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            $"--Keyward:PublicOrigin={Origin}",
            "--Keyward:Storage:Provider=Postgres", $"--Keyward:Storage:ConnectionString={_postgres!.ConnectionString}",
            $"--Keyward:Vault:Keys:1:File={kek}",
            "--Keyward:Routes:app:Path=/resource/{**rest}", $"--Keyward:Routes:app:Upstream={_upstream!.Address}",
            "--Keyward:Routes:app:WebSocket:Enabled=true",
            // The longest allowed: within a minute of filling, only the revocation bus or the fail-closed rule may make a node
            // drop a cached session (every wait in the tests is shorter).
            "--Keyward:Sessions:CacheRevalidateInterval=00:01:00",
            $"--Keyward:Cluster:ListenerReconnectDelay={ListenerReconnectDelay:c}",
            // Every node reads the shared signing keys every second, so a rotation is seen (and published) within seconds.
            "--Keyward:SigningKeys:RefreshInterval=00:00:01",
            // The tests sign in from one address many times; the per-address limit is not what they test.
            "--Keyward:SignIn:PerAddressPerMinute=6000",
            "--Keyward:Metrics:Listen=off", "--Logging:LogLevel:Default=Warning",
        ];
        return new RealClusterNode(index, data, port, arguments, new TlsEndpoint(Origin, new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Path.Combine(shared, "tls", "ca.pem")));
    }

    // As an operator copies a secret: readable by the owner only.
    private static void CopyPrivate(string from, string to)
    {
        File.Copy(from, to);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(to, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    // Not pooled, and named: the fixture's own connections must never be the ones a test terminates.
    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, ApplicationName = "keyward-tests" }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
