using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Server.Agents;
using Keyward.Server.Cluster;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Server.WebSockets;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Cluster;

/// <summary>
/// Revocation at once on every node (issue 13 item 1): two Keyward nodes on one PostgreSQL database. The clock is fake
/// and never moves, so a node's cached view of a session would be honoured for ever (CacheRevalidateInterval never
/// passes): only the revocation bus, or the fail-closed rule, can make the other node refuse. The periodic socket and
/// agent sweeps (which read the database) are removed, so only the bus can close a socket held on the other node.
/// Waits have a generous bound and assert that something happens, never how fast.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class ClusterRevocationTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly List<KeywardTestClient> _clients = [];
    private SocketUpstream? _upstream;
    private ClusterNodes? _cluster;

    public async Task InitializeAsync() => _upstream = await SocketUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task Logout_OnNodeA_IsRefusedOnNodeB_WhileTheClockStandsStill()
    {
        var (cluster, a, b) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(admin.Token));
        Assert.True(Listener(cluster[1]).IsConnected, "node B must be trusting its cache, or this test proves nothing");

        ProblemAssert.Ok(await a.LogoutAsync(admin.Token));

        Assert.True(await UntilAsync(async () => (await b.StatusAsync(admin.Token)).StatusCode == 401), "node B still accepted a session logged out on node A");
        ProblemAssert.Problem(await b.StatusAsync(admin.Token), 401, "session_logged_out");
        ProblemAssert.Problem(await b.ProxyAsync("/sockets/x", admin.Token), 401, "session_logged_out");
    }

    [Fact]
    public async Task SessionRevoked_OnNodeA_ClosesItsWebSocketOnNodeB()
    {
        var (cluster, a, b) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        var held = await a.LoginAsync("admin");
        var (socket, status) = await b.TryOpenAsync($"/sockets/x?ticket={await b.TicketAsync(held, "sockets")}");
        Assert.Equal(101, status);
        using (socket)
        {
            Assert.True(await UntilAsync(() => Task.FromResult(cluster[1].GetRequiredService<LiveSocketRegistry>().ForSession(held.Id).Count == 1)), "the socket is not held on node B");

            ProblemAssert.Ok(await a.RevokeAsync(admin, held.Id), 204);

            var (closeStatus, _) = await ReadCloseAsync(socket!);
            Assert.Equal(4401, closeStatus);
        }

        ProblemAssert.Ok(await b.StatusAsync(admin.Token));
    }

    [Fact]
    public async Task AgentKeyRevoked_OnNodeA_ClosesTheAgentSocketOnNodeB()
    {
        var (cluster, a, b) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        await a.StepUpAsync(admin.Token, "admin");
        var minted = await a.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new JsonObject { ["label"] = "cluster machine", ["policy"] = "attended" }, admin.Token);
        ProblemAssert.Ok(minted);
        var enrolled = await a.SendAsync(HttpMethod.Post, "/agent/v1/enroll", new JsonObject { ["hostname"] = "test-host", ["version"] = "1.0.0" }, configure: AgentHost.Bearer(minted.GetString("enroll_token")));
        ProblemAssert.Ok(enrolled);
        var machine = Guid.Parse(enrolled.GetString("machine_id"));

        using var agent = await ConnectAgentAsync(cluster[1], enrolled.GetString("agent_key"));
        Assert.NotNull(cluster[1].GetRequiredService<AgentDirectory>().Find(machine));

        ProblemAssert.Ok(await a.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), admin.Token), 204);

        var (closeStatus, _) = await agent.ReadCloseAsync();
        Assert.Equal(4401, closeStatus);
    }

    [Fact]
    public async Task ListenerCut_NodeBRevalidatesAgainstTheDatabase_AndListensAgain()
    {
        var (cluster, a, b) = await StartAsync(configure: s => s["Keyward:Cluster:ListenerReconnectDelay"] = "00:00:00.5");
        var first = await a.LoginAsync("admin");
        var second = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(first.Token));
        ProblemAssert.Ok(await b.StatusAsync(second.Token));
        var listener = Listener(cluster[1]);
        Assert.Single(await cluster.BackendsAsync(listener.ApplicationName));

        Assert.Equal(1, await cluster.TerminateAsync(listener.ApplicationName));
        Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "node B's listener did not notice its connection was cut");

        // Revoked behind every node's back: no notice. Node B, its listener down or just back (caches dropped), reads the
        // database for every request; a node that trusted its cache would still accept the session.
        Assert.Equal(1, await cluster.ExecuteAsync(
            "UPDATE sessions SET \"RevokedAt\" = @now, \"RevokedReason\" = 'revoked' WHERE \"Id\" = @id",
            ("now", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("id", first.Id)));
        ProblemAssert.Problem(await b.StatusAsync(first.Token), 401, "session_revoked");

        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected && listener.Connections >= 2)), "node B's listener did not connect again");
        Assert.Single(await cluster.BackendsAsync(listener.ApplicationName));
        ProblemAssert.Ok(await b.StatusAsync(second.Token));
        ProblemAssert.Ok(await a.LogoutAsync(second.Token));
        Assert.True(await UntilAsync(async () => (await b.StatusAsync(second.Token)).StatusCode == 401), "after reconnecting, node B did not hear a logout on node A");
    }

    [Fact]
    public async Task ListenerDown_NodeBHonoursNoCachedSession()
    {
        // A long reconnect delay keeps node B's listener down for the whole test.
        var (cluster, a, b) = await StartAsync(configure: s => s["Keyward:Cluster:ListenerReconnectDelay"] = "00:01:00");
        var session = await a.LoginAsync("admin");
        var listener = Listener(cluster[1]);
        Assert.Equal(1, await cluster.TerminateAsync(listener.ApplicationName));
        Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "node B's listener did not notice its connection was cut");
        Assert.False(listener.IsConnected);

        // Filled while down (a live session is still served, from the database) ...
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        Assert.Equal(1, await cluster.ExecuteAsync(
            "UPDATE sessions SET \"RevokedAt\" = @now, \"RevokedReason\" = 'revoked' WHERE \"Id\" = @id",
            ("now", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("id", session.Id)));

        // ... and never answered from the cache while down.
        ProblemAssert.Problem(await b.StatusAsync(session.Token), 401, "session_revoked");
        Assert.False(listener.IsConnected);
    }

    // Node A starts and its first admin registers (a node that starts while no admin exists issues a fresh setup code,
    // which would replace A's), then node B starts; both listeners are connected before the test goes on.
    private async Task<(ClusterNodes Cluster, KeywardTestClient A, KeywardTestClient B)> StartAsync(Action<Dictionary<string, string>>? configure = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
            ["Keyward:Agents:EnrollPerAddressPerMinute"] = "10000",
            ["Keyward:Routes:sockets:Path"] = "/sockets/{**rest}",
            ["Keyward:Routes:sockets:Upstream"] = _upstream!.Address.ToString(),
            ["Keyward:Routes:sockets:WebSocket:Enabled"] = "true",
        };
        configure?.Invoke(settings);
        _cluster = await ClusterNodes.StartAsync(await postgres.CreateDatabaseAsync(), 1, settings, _time, (_, services) => WithoutSweeps(services));
        var a = ClientOf(_cluster[0]);
        await a.RegisterAdminAsync(_cluster[0].SetupCode!);
        var b = ClientOf(await _cluster.AddNodeAsync());
        foreach (var node in _cluster.Nodes)
        {
            Assert.True(await UntilAsync(() => Task.FromResult(Listener(node).IsConnected)), "a node's revocation listener did not connect");
        }

        return (_cluster, a, b);
    }

    // The sweeps close sockets of sessions and keys ended on other nodes by reading the database every fraction of a
    // second; without them only the revocation bus can.
    private static void WithoutSweeps(IServiceCollection services)
    {
        foreach (var sweep in services.Where(d => d.ServiceType == typeof(IHostedService) && (d.ImplementationType == typeof(LiveSocketSweeper) || d.ImplementationType == typeof(AgentSweeper))).ToList())
        {
            services.Remove(sweep);
        }
    }

    private static RevocationListener Listener(KeywardTestHost node) => node.GetRequiredService<RevocationListener>();

    private KeywardTestClient ClientOf(KeywardTestHost node)
    {
        var client = node.CreateClient();
        _clients.Add(client);
        return client;
    }

    private static async Task<TestAgent> ConnectAgentAsync(KeywardTestHost node, string key)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.SetRequestHeader("Keyward-Agent-Version", "1.2.3");
        socket.Options.AddSubProtocol("keyward-agent.v1");
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        node.ConfigureWebSocket(socket.Options);
        await socket.ConnectAsync(new Uri(node.WebSocketBase, "/agent/v1/connect"), CancellationToken.None);
        var agent = new TestAgent(socket);
        await agent.ReadHelloAsync();
        return agent;
    }

    private static async Task<(int? Status, string? Reason)> ReadCloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, timeout.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return ((int?)socket.CloseStatus, socket.CloseStatusDescription);
                }
            }
        }
        catch (WebSocketException)
        {
            return ((int?)socket.CloseStatus, socket.CloseStatusDescription);
        }
    }

    // Asks again every 50 ms until the condition holds or Patience runs out (real time: the fake clock never moves).
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < Patience)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }
}
