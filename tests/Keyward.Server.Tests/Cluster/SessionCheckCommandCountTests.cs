using Keyward.Core.Credentials;
using Keyward.Server.Cluster;
using Keyward.Server.Http;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Cluster;

/// <summary>
/// Issue 13, "Speed": a proxied request with a cached valid session costs no database round trip on any node, counted
/// as the database commands the serving node runs (<see cref="DbCommandCounter"/>, EF Core's diagnostics, per node).
/// The clock is fake and never moves, so neither the cache's revalidation (<c>CacheRevalidateInterval</c>) nor the
/// last-seen write-back (<c>LastSeenWriteInterval</c>) falls due: what is counted is the hot path itself. Each test
/// also shows the counter counts (a request that must read the database is seen), so a deaf counter cannot pass for 0.
/// The bench (<c>Keyward.LoadBench --mode cluster-revoke</c>) prints the same counter on a real clock.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class SessionCheckCommandCountTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const int Requests = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly List<IDisposable> _disposables = [];

    // Started before any node: EF Core caches for up to 1 s per context whether anyone listens (see DbCommandCounter).
    private readonly DbCommandCounter _commands = DbCommandCounter.Start();
    private EchoUpstream? _upstream;
    private ClusterNodes? _cluster;
    private KeywardTestHost? _single;

    public async Task InitializeAsync() => _upstream = await EchoUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        _disposables.ForEach(d => d.Dispose());
        _commands.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_single is not null)
        {
            await _single.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sqlite_ProxiedRequestsWithACachedSession_RunNoDatabaseCommand()
    {
        _single = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Settings = Settings(), Time = _time });
        var client = Track(_single.CreateClient());
        await client.RegisterAdminAsync(_single.SetupCode!);
        var session = await client.LoginAsync();
        await ProxyAsync(client, session.Token, 1);
        Assert.True(_commands.Reset(_single) >= 1, "registering and signing in wrote to the database: the counter saw nothing");

        await ProxyAsync(client, session.Token, Requests);

        Assert.Equal(0, _commands.Count(_single));
        var before = _upstream!.RequestCount;
        ProblemAssert.Problem(await client.ProxyAsync("/resource/hello", SecretToken.Generate(CredentialKind.Session)), 401, KeywardErrors.SessionInvalid.Code);
        Assert.True(_commands.Count(_single) >= 1, "an unknown token must be looked up in the database: the counter saw nothing, so its 0 above proves nothing");
        Assert.Equal(before, _upstream.RequestCount);
    }

    [Fact]
    public async Task Postgres_ProxiedRequestsOnNodeB_WithItsListenerUp_RunNoDatabaseCommand()
    {
        var (cluster, a, b) = await StartClusterAsync();
        var session = await a.LoginAsync("admin");
        _commands.Reset(cluster[1]);
        await ProxyAsync(b, session.Token, 1);
        Assert.True(_commands.Reset(cluster[1]) >= 1, "node B never had the session: its first request must have read the database");
        Assert.True(Listener(cluster[1]).IsConnected, "node B's listener must be up, or its cache is not trusted");

        await ProxyAsync(b, session.Token, Requests);

        Assert.Equal(0, _commands.Count(cluster[1]));
        Assert.True(Listener(cluster[1]).IsConnected);
    }

    [Fact]
    public async Task Postgres_ProxiedRequestsOnNodeB_WithItsListenerDown_ReadTheDatabaseEveryTime()
    {
        // A long reconnect delay keeps node B's listener down for the whole test.
        var (cluster, a, b) = await StartClusterAsync(s => s["Keyward:Cluster:ListenerReconnectDelay"] = "00:01:00");
        var session = await a.LoginAsync("admin");
        await ProxyAsync(b, session.Token, 1);
        var listener = Listener(cluster[1]);
        Assert.Equal(1, await cluster.TerminateAsync(listener.ApplicationName));
        Assert.True(await UntilAsync(() => !listener.IsConnected && listener.Losses >= 1), "node B's listener did not notice its connection was cut");
        _commands.Reset(cluster[1]);

        await ProxyAsync(b, session.Token, Requests);

        // Fail closed: every request checked against the database (at least one command each), and all still served.
        var commands = _commands.Count(cluster[1]);
        Assert.True(commands >= Requests, $"node B ran {commands} database commands for {Requests} proxied requests with its listener down: some were answered from the cache");
        Assert.False(listener.IsConnected);
    }

    private async Task ProxyAsync(KeywardTestClient client, string token, int count)
    {
        var before = _upstream!.RequestCount;
        for (var i = 0; i < count; i++)
        {
            ProblemAssert.Ok(await client.ProxyAsync("/resource/hello", token));
        }

        Assert.Equal(before + count, _upstream.RequestCount);
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
        ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
        ["Keyward:Routes:resource:Path"] = "/resource/{**rest}",
        ["Keyward:Routes:resource:Upstream"] = _upstream!.Address.ToString(),
    };

    // Node A starts and its admin registers, then node B starts (see ClusterRevocationTests); both listeners connected.
    private async Task<(ClusterNodes Cluster, KeywardTestClient A, KeywardTestClient B)> StartClusterAsync(Action<Dictionary<string, string>>? configure = null)
    {
        var settings = Settings();
        configure?.Invoke(settings);
        _cluster = await ClusterNodes.StartAsync(await postgres.CreateDatabaseAsync(), 1, settings, _time);
        var a = Track(_cluster[0].CreateClient());
        await a.RegisterAdminAsync(_cluster[0].SetupCode!);
        var b = Track((await _cluster.AddNodeAsync()).CreateClient());
        foreach (var node in _cluster.Nodes)
        {
            Assert.True(await UntilAsync(() => Listener(node).IsConnected), "a node's revocation listener did not connect");
        }

        return (_cluster, a, b);
    }

    private static RevocationListener Listener(KeywardTestHost node) => node.GetRequiredService<RevocationListener>();

    private T Track<T>(T item)
    {
        if (item is IDisposable disposable)
        {
            _disposables.Add(disposable);
        }

        return item;
    }

    // Real time (the fake clock never moves): asks every 50 ms until the condition holds or Patience runs out.
    private static async Task<bool> UntilAsync(Func<bool> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < Patience)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
