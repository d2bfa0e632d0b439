using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;
using Xunit.Abstractions;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// Issue 13 item 5 with real processes: three <c>keyward serve</c> nodes on one PostgreSQL behind nginx
/// (<see cref="RealCluster"/>, started once for the class). Waits have a generous bound and assert that something
/// happens, never how fast (the latency is measured in the bench). Every node trusts its cached view of a session for a
/// minute (<c>Sessions:CacheRevalidateInterval</c>, longer than any wait here), so only the revocation bus, or the fail-closed rule while a
/// listener is down, can make a node refuse a session ended elsewhere.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class RealClusterTests(RealCluster cluster, ITestOutputHelper output) : IClassFixture<RealCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SignInThroughTheBalancer_LogoutOnNodeA_TokenRefusedOnNodeB()
    {
        using var balancer = cluster.AdminClient(cluster.Balancer);
        using var a = cluster.AdminClient(cluster.Nodes[0].Endpoint);
        using var b = cluster.AdminClient(cluster.Nodes[1].Endpoint);
        var session = await balancer.LoginAsync();
        AssertStatus(200, await b.StatusAsync(session.Token), "node B before the logout");

        AssertStatus(200, await a.LogoutAsync(session.Token), "logout on node A");

        Assert.True(await UntilAsync(async () => (await b.StatusAsync(session.Token)).StatusCode == 401), "node B still accepted a session logged out on node A");
        AssertProblem(401, "session_logged_out", await b.StatusAsync(session.Token));
        AssertProblem(401, "session_logged_out", await b.GetAsync("/resource/whoami", session.Token));
    }

    [Fact]
    public async Task SessionRevokedOnNodeA_ClosesItsWebSocketHeldOnNodeB_With4401()
    {
        using var a = cluster.AdminClient(cluster.Nodes[0].Endpoint);
        using var b = cluster.AdminClient(cluster.Nodes[1].Endpoint);
        var admin = await a.LoginAsync();
        var held = await b.LoginAsync();
        var (socket, status) = await b.TryOpenAsync($"/resource/echo?ticket={await b.TicketAsync(held, "app")}");
        Assert.Equal(101, status);
        using (socket)
        {
            // The relay is up end to end on node B: one message echoed by the upstream.
            Assert.Equal("ping", await EchoAsync(socket!, "ping"));

            AssertStatus(204, await a.RevokeAsync(admin, held.Id), "revocation on node A");

            Assert.Equal(4401, await ReadCloseAsync(socket!));
        }

        AssertStatus(200, await b.StatusAsync(admin.Token), "the revoking session on node B");
    }

    [Fact]
    public async Task OneWebSocketTicket_RacedThroughEveryNode_HasExactlyOneWinner()
    {
        const int Attempts = 30;
        using var balancer = cluster.AdminClient(cluster.Balancer);
        var session = await balancer.LoginAsync();
        var clients = cluster.Nodes.Select(n => cluster.AdminClient(n.Endpoint)).ToList();
        try
        {
            // Warm every client's connection, so the attempts below race at the nodes, not in TLS handshakes.
            foreach (var client in clients)
            {
                AssertStatus(200, await client.StatusAsync(session.Token), $"warm-up on {client.Endpoint}");
            }

            var ticket = await balancer.TicketAsync(session, "app");
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, Attempts).Select(async i =>
            {
                await go.Task;
                return await clients[i % clients.Count].ProbeUpgradeAsync($"/resource/echo?ticket={ticket}");
            }).ToList();
            go.SetResult();
            var answers = await Task.WhenAll(attempts);

            Assert.Single(answers, r => r.StatusCode == 101);
            var losers = answers.Where(r => r.StatusCode != 101).ToList();
            Assert.All(losers, r => AssertProblem(401, "ticket_consumed", r));
            Assert.Equal(Attempts - 1, losers.Count);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AssertionKeyRotation_AssertionsMintedOnEveryNode_VerifyAgainstEveryNodesJwks()
    {
        using var balancer = cluster.AdminClient(cluster.Balancer);
        var session = await balancer.LoginAsync();
        var clients = cluster.Nodes.Select(n => cluster.AdminClient(n.Endpoint)).ToList();
        var failures = new List<string>();
        var minted = 0;
        try
        {
            var oldKid = AssertionCheck.KeyId(await MintAsync(clients[0], session.Token));

            // The key has signed for longer than Assertions:KeyRotationInterval (7 days), as far as the database says; a node
            // that starts then rotates it (under the purpose's advisory lock), publishing the successor before it signs.
            Assert.Equal(1, await cluster.ExecuteAsync(
                "UPDATE signing_keys SET \"NotBefore\" = \"NotBefore\" - @back, \"CreatedAt\" = \"CreatedAt\" - @back WHERE \"Purpose\" = 'assertion' AND \"KeyId\" = @kid",
                ("back", (long)TimeSpan.FromDays(8).TotalMilliseconds), ("kid", oldKid)));
            var restarted = cluster.Nodes[^1];
            await restarted.KillAsync();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var restart = RestartAsync();

            // Throughout: every node mints (the restarted one once it is back), and each assertion is checked against the
            // JWKS every node publishes right then, until every node has signed with the new key.
            var newKidSeenOn = new HashSet<int>();
            var kids = new HashSet<string>(StringComparer.Ordinal) { oldKid };
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (newKidSeenOn.Count < clients.Count)
            {
                Assert.False(limit.IsCancellationRequested, $"not every node signed with a new key in time (new key seen on nodes {string.Join(", ", newKidSeenOn)}); failures:\n{string.Join('\n', failures)}\n{restarted.Output}");
                for (var i = 0; i < clients.Count; i++)
                {
                    if (i == restarted.Index && !restart.IsCompleted)
                    {
                        continue;
                    }

                    var assertion = await MintAsync(clients[i], session.Token);
                    minted++;
                    var kid = AssertionCheck.KeyId(assertion);
                    kids.Add(kid);
                    if (kid != oldKid && newKidSeenOn.Add(i))
                    {
                        output.WriteLine($"node {i} signed with the new key after {clock.Elapsed.TotalSeconds:0.0} s");
                    }

                    for (var j = 0; j < clients.Count; j++)
                    {
                        if (j == restarted.Index && !restart.IsCompleted)
                        {
                            continue;
                        }

                        var jwks = await clients[j].GetAsync("/.well-known/keyward/jwks.json");
                        if (AssertionCheck.Problem(assertion, jwks.Body) is { } problem)
                        {
                            failures.Add($"minted on node {i}, checked on node {j}: {problem}");
                        }
                    }
                }

                await Task.Delay(200, CancellationToken.None);
            }

            await restart;

            async Task RestartAsync()
            {
                await restarted.StartAsync(cluster.Keyward);
                output.WriteLine($"node {restarted.Index} answered again after {clock.Elapsed.TotalSeconds:0.0} s");
            }

            output.WriteLine($"{minted} assertions, each checked against every running node's JWKS");
            Assert.Empty(failures);

            // One rotation for the whole cluster (the advisory lock), not one per node.
            Assert.Equal(2, kids.Count);
            Assert.True(minted >= clients.Count * 2, $"only {minted} assertions were checked");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AuditExport_AfterTrafficOnEveryNode_Verifies_AndATamperedCopyFails()
    {
        var sessions = new List<TestSession>();
        foreach (var node in cluster.Nodes)
        {
            using var client = cluster.AdminClient(node.Endpoint);
            var session = await client.LoginAsync();
            sessions.Add(session);
            AssertStatus(200, await client.GetAsync("/resource/whoami", session.Token), $"a proxied call on node {node.Index}");
            AssertStatus(200, await client.LogoutAsync(session.Token), $"logout on node {node.Index}");
        }

        using var admin = cluster.AdminClient(cluster.Nodes[0].Endpoint);
        var exporter = await admin.LoginAsync();
        await admin.StepUpAsync(exporter.Token, "admin");
        var export = await admin.GetAsync("/api/audit/export", exporter.Token);
        AssertStatus(200, export, "the audit export");
        var lines = export.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Every node's sign-ins are in the one log.
        foreach (var session in sessions)
        {
            Assert.Contains(lines, l => l.Contains(session.Id.ToString(), StringComparison.OrdinalIgnoreCase));
        }

        var file = Path.Combine(cluster.Root, $"audit-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, lines);
        var (exit, printed) = await RealProcess.RunAsync(cluster.Keyward, ["audit", "verify", file]);
        Assert.True(exit == 0, $"keyward audit verify exited {exit} on the genuine export:\n{printed}");

        // The same export with one event's outcome changed.
        var tampered = lines.ToList();
        var at = tampered.FindIndex(l => JsonNode.Parse(l) is JsonObject o && o["event"] is JsonObject);
        Assert.True(at >= 0, "the export holds no event line");
        var changed = JsonNode.Parse(tampered[at])!;
        changed["event"]!["outcome"] = changed["event"]!["outcome"]?.GetValue<string>() == "denied" ? "success" : "denied";
        tampered[at] = changed.ToJsonString();
        var tamperedFile = Path.Combine(cluster.Root, $"audit-tampered-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(tamperedFile, tampered);
        (exit, printed) = await RealProcess.RunAsync(cluster.Keyward, ["audit", "verify", tamperedFile]);
        Assert.True(exit == 1, $"keyward audit verify exited {exit} on a tampered export (1 expected):\n{printed}");
        Assert.StartsWith("Tampered: ", printed.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenerCut_ThatNodeChecksEveryRequestAgainstTheDatabase_ThenListensAgain()
    {
        var cut = cluster.Nodes[1];
        var control = cluster.Nodes[0];
        using var onCut = cluster.AdminClient(cut.Endpoint);
        using var onControl = cluster.AdminClient(control.Endpoint);
        var revoked = await onControl.LoginAsync();
        var later = await onControl.LoginAsync();
        AssertStatus(200, await onCut.StatusAsync(revoked.Token), "the cut node, before");
        AssertStatus(200, await onControl.StatusAsync(revoked.Token), "the control node, before");
        AssertStatus(200, await onCut.StatusAsync(later.Token), "the cut node, before");

        var backend = await cluster.ListenerBackendAsync(cut) ?? throw new InvalidOperationException($"node {cut.Index} has no listener connection");
        Assert.True(await cluster.TerminateBackendAsync(backend), "pg_terminate_backend did not end the listener's backend");

        // Revoked behind every node's back: no notice. The cut node, its listener down, reads the database for every
        // request; the control node, listening and told nothing, still trusts its cached view (the minute-long revalidate
        // interval), which shows that only the fail-closed rule explains the refusal.
        Assert.Equal(1, await cluster.ExecuteAsync(
            "UPDATE sessions SET \"RevokedAt\" = @now, \"RevokedReason\" = 'revoked' WHERE \"Id\" = @id",
            ("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("id", revoked.Id)));
        Assert.True(await UntilAsync(async () => (await onCut.StatusAsync(revoked.Token)).StatusCode == 401), "the node whose listener was cut kept accepting a session revoked in the database");
        AssertProblem(401, "session_revoked", await onCut.StatusAsync(revoked.Token));
        AssertStatus(200, await onControl.StatusAsync(revoked.Token), "the control node (listening, told nothing)");

        // It listens again (a new backend), and hears a logout made on another node.
        Assert.True(await UntilAsync(async () => await cluster.ListenerBackendAsync(cut) is { } again && again != backend), "the node did not connect its listener again");
        AssertStatus(200, await onCut.StatusAsync(later.Token), "a live session on the reconnected node");
        AssertStatus(200, await onControl.LogoutAsync(later.Token), "logout on the control node");
        Assert.True(await UntilAsync(async () => (await onCut.StatusAsync(later.Token)).StatusCode == 401), "after reconnecting, the node did not hear a logout made on another node");
        AssertProblem(401, "session_logged_out", await onCut.StatusAsync(later.Token));
    }

    private static async Task<string> MintAsync(KeywardTestClient client, string token)
    {
        var response = await client.GetAsync("/resource/whoami", token);
        AssertStatus(200, response, $"a proxied call on {client.Endpoint}");
        return response.Body;
    }

    private static void AssertStatus(int expected, KeywardResponse response, string what) =>
        Assert.True(response.StatusCode == expected, $"{what}: expected {expected}, got {response}");

    private static void AssertProblem(int status, string code, KeywardResponse response) =>
        Assert.True(response.StatusCode == status && response.Code == code, $"expected {status} {code}, got {response}");

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (!limit.IsCancellationRequested)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return await condition();
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string message)
    {
        using var limit = new CancellationTokenSource(Patience);
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, limit.Token);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, limit.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<int> ReadCloseAsync(ClientWebSocket socket)
    {
        using var limit = new CancellationTokenSource(Patience);
        var buffer = new byte[1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (int)(socket.CloseStatus ?? 0);
            }
        }
    }
}
