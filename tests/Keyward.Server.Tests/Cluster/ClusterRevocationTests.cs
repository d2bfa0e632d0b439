using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Core.Agents;
using Keyward.Core.Cluster;
using Keyward.Core.Sessions;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Cluster;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Server.WebSockets;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

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
    private TcpRelay? _relay;

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

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
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

    [Fact]
    public async Task ForgedSessionNotice_LeavesTheLiveSessionWorkingOnBothNodes()
    {
        var (cluster, a, b) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        var victim = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(victim.Token));
        var ended = 0;
        foreach (var node in cluster.Nodes)
        {
            node.GetRequiredService<SessionService>().Ended += id => Interlocked.Increment(ref ended);
        }

        // Any role that can connect may NOTIFY the channel, in the exact wire form, from a node id no node has.
        await ForgeAsync(cluster, new RevocationNotice("forger", RevocationKind.Session, "revoked", [victim.Id]));

        foreach (var node in cluster.Nodes)
        {
            Assert.True(await UntilAsync(() => Task.FromResult(Listener(node).NoticesChecked >= 1)), "a node did not check the forged notice");
            Assert.Equal(1, Listener(node).IdsIgnored);
            Assert.False(node.GetRequiredService<SessionService>().HasEndedOnThisNode(victim.Id));
        }

        Assert.Equal(0, Volatile.Read(ref ended));
        ProblemAssert.Ok(await a.StatusAsync(victim.Token));
        ProblemAssert.Ok(await b.StatusAsync(victim.Token));

        // A real revocation still goes through: the check lets what the database says is ended pass.
        ProblemAssert.Ok(await a.RevokeAsync(admin, victim.Id), 204);
        Assert.True(await UntilAsync(async () => (await b.StatusAsync(victim.Token)).StatusCode == 401), "node B did not hear a real revocation after a forged one");
        Assert.Equal(1, Listener(cluster[1]).IdsIgnored);
    }

    [Fact]
    public async Task ForgedMachineAndSupportNotices_CloseNothing_EndNothing_AuditNothing()
    {
        var (cluster, a, b) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        var (machine, agentKey) = await EnrollAsync(a, admin);
        using var agent = await ConnectAgentAsync(cluster[1], agentKey);
        var opened = await a.SendAsync(HttpMethod.Post, "/api/support/sessions", new JsonObject { ["reason"] = "printer jam", ["machine_id"] = machine.ToString() }, admin.Token);
        ProblemAssert.Ok(opened);
        var support = Guid.Parse(opened.GetString("id"));
        var keyEnded = 0;
        var supportEnded = 0;
        foreach (var node in cluster.Nodes)
        {
            node.GetRequiredService<MachineService>().KeyEnded += _ => Interlocked.Increment(ref keyEnded);
            node.GetRequiredService<SupportSessionService>().Ended += _ => Interlocked.Increment(ref supportEnded);
        }

        await ForgeAsync(cluster, new RevocationNotice("forger", RevocationKind.Machine, "", [machine]));
        await ForgeAsync(cluster, new RevocationNotice("forger", RevocationKind.SupportSession, "revoked", [support]));

        foreach (var node in cluster.Nodes)
        {
            Assert.True(await UntilAsync(() => Task.FromResult(Listener(node).NoticesChecked >= 2)), "a node did not check the forged notices");
            Assert.Equal(2, Listener(node).IdsIgnored);
        }

        Assert.Equal(0, Volatile.Read(ref keyEnded));
        Assert.Equal(0, Volatile.Read(ref supportEnded));
        Assert.NotNull(cluster[1].GetRequiredService<AgentDirectory>().Find(machine));
        Assert.True((await cluster[1].GetRequiredService<SupportSessionService>().FindAsync(support, null))?.IsOpen, "a forged notice ended the support session");
        Assert.Equal(0L, await cluster.ScalarAsync(
            "SELECT count(*) FROM audit_events WHERE \"Action\" = @action", ("action", SupportAuditActions.SessionEnded)));
    }

    [Fact]
    public async Task ForgedFlood_OfTenThousandIds_LeavesTheRevokedSetAsItWas()
    {
        var (cluster, a, b) = await StartAsync();
        var sessions = cluster[1].GetRequiredService<SessionService>();
        var before = sessions.EndedMarkCount;

        // 100 notices of 100 random ids each, in one statement (each payload differs, so PostgreSQL folds none together).
        await cluster.ExecuteAsync(
            "SELECT pg_notify(@channel, '1|forger|s|revoked|' || (SELECT string_agg(gen_random_uuid()::text, ',') FROM generate_series(1, 100) WHERE g.n > 0)) FROM generate_series(1, 100) AS g(n)",
            ("channel", RevocationBus.Channel));

        var listener = Listener(cluster[1]);
        Assert.True(await UntilAsync(() => Task.FromResult(listener.NoticesChecked >= 100)), "node B did not check the forged notices");
        Assert.Equal(10_000, listener.IdsIgnored);
        Assert.Equal(before, sessions.EndedMarkCount);
        Assert.True(listener.IsConnected, "checking forged notices must not overflow the queue");

        // The bus still works for real revocations.
        var session = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        ProblemAssert.Ok(await a.LogoutAsync(session.Token));
        Assert.True(await UntilAsync(async () => (await b.StatusAsync(session.Token)).StatusCode == 401), "node B did not hear a logout after the flood");
    }

    [Fact]
    public async Task SupportSessionEnded_OnNodeA_EndsItOnNodeB()
    {
        var (cluster, a, _) = await StartAsync();
        var admin = await a.LoginAsync("admin");
        var (machine, agentKey) = await EnrollAsync(a, admin);
        using var agent = await ConnectAgentAsync(cluster[1], agentKey);
        var opened = await a.SendAsync(HttpMethod.Post, "/api/support/sessions", new JsonObject { ["reason"] = "printer jam", ["machine_id"] = machine.ToString() }, admin.Token);
        ProblemAssert.Ok(opened);
        var support = Guid.Parse(opened.GetString("id"));
        var endedOnB = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster[1].GetRequiredService<SupportSessionService>().Ended += id => endedOnB.TrySetResult(id);

        ProblemAssert.Ok(await a.SendAsync(HttpMethod.Post, $"/api/support/sessions/{support}/end", new JsonObject(), admin.Token));

        Assert.Equal(support, await endedOnB.Task.WaitAsync(Patience));
        Assert.Equal(0, Listener(cluster[1]).IdsIgnored);
    }

    [Fact]
    public async Task RevokedWhileTheListenerWasDown_IsRefusedOnceItIsBack()
    {
        // Catch-up (issue 13 item 1, "until it has reconnected and caught up"): a revocation made in the gap sends a notice
        // no one hears. A reconnect delay of 3 s keeps the gap open while the test revokes.
        var (cluster, a, b) = await StartAsync(configure: s => s["Keyward:Cluster:ListenerReconnectDelay"] = "00:00:03");
        var session = await a.LoginAsync("admin");
        var control = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        ProblemAssert.Ok(await b.StatusAsync(control.Token));
        // Node B answers from its cache while it listens: a revocation behind every node's back goes unseen there.
        await RevokeBehindTheNodesBacksAsync(cluster, control.Id);
        ProblemAssert.Ok(await b.StatusAsync(control.Token));

        var listener = Listener(cluster[1]);
        Assert.Equal(1, await cluster.TerminateAsync(listener.ApplicationName));
        Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "node B's listener did not notice its connection was cut");
        await RevokeBehindTheNodesBacksAsync(cluster, session.Id);
        Assert.Equal(1, listener.Connections); // revoked in the gap, not after the listener was back
        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected && listener.Connections >= 2)), "node B's listener did not connect again");

        // Back and trusting its cache again, node B honours nothing it cached before the gap.
        ProblemAssert.Problem(await b.StatusAsync(session.Token), 401, "session_revoked");
        ProblemAssert.Problem(await b.StatusAsync(control.Token), 401, "session_revoked");
    }

    [Fact]
    public async Task NoticeQueueFull_FailsClosed_DropsTheCache_AndListensAgain()
    {
        var (cluster, a, b) = await StartAsync();
        var session = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        await RevokeBehindTheNodesBacksAsync(cluster, session.Id);
        ProblemAssert.Ok(await b.StatusAsync(session.Token)); // cached, and no notice was sent
        var listener = Listener(cluster[1]);

        // The sessions table held: node B's check of the first notice waits, while more notices than its queue holds arrive.
        await using (var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false, ApplicationName = "keyward-tests" }.ConnectionString))
        {
            await holder.OpenAsync();
            await using var hold = await holder.BeginTransactionAsync();
            await using (var take = new NpgsqlCommand("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE", holder, hold))
            {
                await take.ExecuteNonQueryAsync();
            }

            await cluster.ExecuteAsync(
                "SELECT pg_notify(@channel, '1|forger|s|revoked|' || gen_random_uuid()::text) FROM generate_series(1, @count)",
                ("channel", RevocationBus.Channel), ("count", RevocationListener.QueueCapacity + 200));
            Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "a full notice queue did not make node B stop trusting its cache and listen again");
            Assert.Equal(0, listener.NoticesChecked); // still waiting on the first check: the overflow did it, not a failed check
            await hold.RollbackAsync();
        }

        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected && listener.Connections >= 2)), "node B's listener did not connect again");
        // A dropped notice could have been this revocation: the cache went with it.
        ProblemAssert.Problem(await b.StatusAsync(session.Token), 401, "session_revoked");
    }

    [Fact]
    public async Task ListenerConnectionGoneSilent_FailsItsHeartbeat_AndListensAgain()
    {
        // Every connection open now stops carrying bytes without an error (a cut link): only the heartbeat can tell.
        var (cluster, a, b) = await StartAsync(configure: s => s["Keyward:Cluster:ListenerHeartbeat"] = "00:00:01", relayed: true);
        var session = await a.LoginAsync("admin");
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        await RevokeBehindTheNodesBacksAsync(cluster, session.Id);
        ProblemAssert.Ok(await b.StatusAsync(session.Token));
        var listener = Listener(cluster[1]);

        _relay!.Freeze();
        Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "node B's heartbeat did not notice its silent connection");
        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected && listener.Connections >= 2)), "node B's listener did not connect again");
        _relay.Thaw();

        ProblemAssert.Problem(await b.StatusAsync(session.Token), 401, "session_revoked");
    }

    private Task<int> RevokeBehindTheNodesBacksAsync(ClusterNodes cluster, Guid session) =>
        cluster.ExecuteAsync(
            "UPDATE sessions SET \"RevokedAt\" = @now, \"RevokedReason\" = 'revoked' WHERE \"Id\" = @id",
            ("now", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("id", session));

    private static Task<int> ForgeAsync(ClusterNodes cluster, RevocationNotice notice) =>
        cluster.ExecuteAsync("SELECT pg_notify(@channel, @payload)", ("channel", RevocationBus.Channel), ("payload", notice.Format()));

    private static async Task<(Guid Machine, string AgentKey)> EnrollAsync(KeywardTestClient a, TestSession admin)
    {
        await a.StepUpAsync(admin.Token, "admin");
        var minted = await a.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new JsonObject { ["label"] = "cluster machine", ["policy"] = "attended" }, admin.Token);
        ProblemAssert.Ok(minted);
        var enrolled = await a.SendAsync(HttpMethod.Post, "/agent/v1/enroll", new JsonObject { ["hostname"] = "test-host", ["version"] = "1.0.0" }, configure: AgentHost.Bearer(minted.GetString("enroll_token")));
        ProblemAssert.Ok(enrolled);
        return (Guid.Parse(enrolled.GetString("machine_id")), enrolled.GetString("agent_key"));
    }

    // Node A starts and its first admin registers (a node that starts while no admin exists issues a fresh setup code,
    // which would replace A's), then node B starts; both listeners are connected before the test goes on.
    private async Task<(ClusterNodes Cluster, KeywardTestClient A, KeywardTestClient B)> StartAsync(Action<Dictionary<string, string>>? configure = null, bool relayed = false)
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
        var database = await postgres.CreateDatabaseAsync();
        if (relayed)
        {
            // Through a relay the test can silence (TcpRelay): the nodes and the test's own statements alike.
            var direct = new NpgsqlConnectionStringBuilder(database);
            _relay = TcpRelay.Start(direct.Host!, direct.Port);
            database = new NpgsqlConnectionStringBuilder(database) { Port = _relay.Port }.ConnectionString;
        }

        _cluster = await ClusterNodes.StartAsync(database, 1, settings, _time, (_, services) => WithoutSweeps(services));
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
