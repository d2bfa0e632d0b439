using System.Net.WebSockets;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.WebSockets.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Keyward.WebSockets.Tests;

/// <summary>Single use holds under races: one ticket, 100 concurrent upgrades, exactly one 101 — on one node and on two processes sharing one database.</summary>
public sealed class RaceTests(ITestOutputHelper output)
{
    private const int Attempts = 100;

    [Fact]
    public async Task OneTicket_100ConcurrentUpgrades_ExactlyOne101()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        await using var server = await KeywardServer.StartAsync(upstream);
        var api = server.Admin!;
        var session = await api.LoginAsync();
        var ticket = await api.TicketAsync(session, TestRoutes.Echo);

        var results = await RaceAsync([api], ticket);
        Assert.Equal(1, upstream.Accepted);
        Assert.Equal(Attempts - 1, server.Audit.Denied("ticket_consumed").Count);
        Assert.Single(server.Audit.Where(AuditActions.WebSocketOpened));
        output.WriteLine($"one node: {results[101]} × 101, {results.GetValueOrDefault(401)} × 401");
    }

    [Fact]
    public async Task OneTicket_100ConcurrentUpgradesAcrossTwoProcessesOnOneDatabase_ExactlyOne101()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        using var data = new Keyward.Testing.TempDirectory("keyward-ws-race-");
        using var secondData = new Keyward.Testing.TempDirectory("keyward-ws-race-second-");
        var origin = $"http://localhost:{FreePort.Next()}";

        // The first process migrates the database and issues the setup code; the second joins it. Each has its own data
        // directory (one Keyward per data directory); the second names the first's SQLite file as its database.
        await using var first = await KeywardProcess.StartAsync(data.Path, origin, upstream);
        using var firstApi = new KeywardTestClient(first);
        await firstApi.RegisterAdminAsync(first.SetupCode ?? throw new InvalidOperationException("no setup code printed"));
        var database = $"--Keyward:Storage:ConnectionString=Data Source={Path.Combine(data.Path, "keyward.db")};Pooling=True;Default Timeout=30";
        await using var second = await KeywardProcess.StartAsync(secondData.Path, origin, upstream, [database]);
        Assert.Null(second.SetupCode);
        using var secondApi = new KeywardTestClient(second);

        // Both nodes know the session; the ticket comes from one, the upgrades go to both.
        var session = await firstApi.LoginAsync();
        using (var warm = await secondApi.OpenAsync(TestRoutes.Echo, await firstApi.TicketAsync(session, TestRoutes.Echo)))
        {
            await warm.AssertEchoAsync("second node relays a ticket issued by the first");
        }

        var before = upstream.Accepted;
        var ticket = await firstApi.TicketAsync(session, TestRoutes.Echo);
        var results = await RaceAsync([firstApi, secondApi], ticket);
        Assert.Equal(before + 1, upstream.Accepted);
        output.WriteLine($"two processes: {results[101]} × 101, {results.GetValueOrDefault(401)} × 401");
    }

    /// <summary>Fires the upgrades at once (alternating between the nodes) and asserts exactly one 101, the rest 401.</summary>
    private static async Task<Dictionary<int, int>> RaceAsync(KeywardTestClient[] nodes, string ticket)
    {
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, Attempts).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % nodes.Length].TryOpenAsync($"{TestRoutes.PathOf(TestRoutes.Echo)}/race?ticket={ticket}");
        })).ToList();
        start.Set();
        var outcomes = await Task.WhenAll(attempts);
        foreach (var (socket, _) in outcomes)
        {
            if (socket is not null)
            {
                await socket.AssertEchoAsync("winner");
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                socket.Dispose();
            }
        }

        var byStatus = outcomes.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, byStatus.GetValueOrDefault(101));
        Assert.Equal(Attempts - 1, byStatus.GetValueOrDefault(401));
        return byStatus;
    }
}
