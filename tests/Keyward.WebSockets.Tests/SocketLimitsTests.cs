using System.Diagnostics;
using System.Net.WebSockets;
using Keyward.Core.Audit;
using Keyward.Server.WebSockets;
using Keyward.WebSockets.Tests.Infrastructure;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// The gate-wide bounds (<see cref="LimitsFixture"/>): each direction of a socket holds at most MaxQueuedBytes for a
/// slow reader (measured on the relay's queue), and sockets are capped per session (429) and in total (503), refused
/// before the upstream is dialled, audited, with every slot given back on every way a socket or an upgrade ends.
/// </summary>
public sealed class SocketLimitsTests(LimitsFixture fixture) : IClassFixture<LimitsFixture>
{
    private const int FloodMessages = 2048;
    private const int FloodMessageBytes = 16 * 1024;

    private KeywardServer Server => fixture.Server;

    private KeywardTestClient Api => fixture.Api;

    private LiveSocketRegistry Registry => Server.Get<LiveSocketRegistry>();

    [Fact]
    public async Task SlowReader_QueueTowardItStaysWithinMaxQueuedBytes_AndTheUpstreamIsHeldBack()
    {
        await WaitUntilAsync(() => Registry.Reserved == 0);
        var session = await Api.LoginAsync();
        using var socket = await Api.OpenAsync(session);

        // The 101 can reach the client just before the relay is registered.
        await WaitUntilAsync(() => Registry.All.Any(c => c.Identity.Session?.Id == session.Id));
        var relay = Registry.All.Single(c => c.Identity.Session?.Id == session.Id);

        // 32 MiB toward a client that reads nothing yet: far more than the loopback buffers on both sides hold.
        await socket.SendTextAsync($"bigflood:{FloodMessages}:{FloodMessageBytes}");
        var oneMessage = RelayQueue.ChargeOf(new RelayMessage(new byte[FloodMessageBytes], FloodMessageBytes, WebSocketMessageType.Binary));
        await WaitUntilAsync(() => relay.QueuedBytesToClient > LimitsFixture.QueueBudget - oneMessage);

        // The queue is full and the reader stopped: the upstream cannot have sent everything.
        Assert.True(fixture.Upstream.BigFloodSent < FloodMessages, $"the upstream sent all {FloodMessages} messages while the client read nothing");
        Assert.InRange(relay.PeakQueuedBytesToClient, LimitsFixture.QueueBudget - oneMessage + 1, LimitsFixture.QueueBudget);

        // The slow reader gets every message, in order; the queue never went past the budget.
        for (var i = 0; i < FloodMessages; i++)
        {
            var (_, payload) = await socket.ReceiveAsync();
            Assert.Equal((i, FloodMessageBytes), (BitConverter.ToInt32(payload, 0), payload.Length));
        }

        Assert.InRange(relay.PeakQueuedBytesToClient, 1, LimitsFixture.QueueBudget);
        await socket.AssertEchoAsync("after the flood");
    }

    [Fact]
    public async Task PerSessionCap_ConcurrentUpgrades_ExactlyTheCapSucceed_429Audited_ClosingOneFreesASlot()
    {
        await WaitUntilAsync(() => Registry.Reserved == 0);
        var session = await Api.LoginAsync();
        var accepted = fixture.Upstream.Accepted;
        var tickets = await Task.WhenAll(Enumerable.Range(0, LimitsFixture.PerSession + 1).Select(_ => Api.TicketAsync(session, TestRoutes.Echo)));

        var results = await Task.WhenAll(tickets.Select(t => Api.TryOpenAsync($"/ws/echo/x?ticket={t}")));

        var open = results.Where(r => r.Socket is not null).Select(r => r.Socket!).ToList();
        Assert.Equal(LimitsFixture.PerSession, open.Count);
        Assert.Equal([429], results.Where(r => r.Socket is null).Select(r => r.Status));
        Assert.Equal(accepted + LimitsFixture.PerSession, fixture.Upstream.Accepted);
        Assert.Contains(Server.Audit.Denied("websocket_session_limit"), r => r.Action == AuditActions.WebSocketUpgradeDenied && r.Details["session_id"] == session.Id.ToString());

        // The refusal is problem+json with its code, and dials nothing.
        var probe = await Api.ProbeUpgradeAsync($"/ws/echo/x?ticket={await Api.TicketAsync(session, TestRoutes.Echo)}");
        Assert.Equal((429, "websocket_session_limit", "application/problem+json"), (probe.StatusCode, probe.Code, probe.MediaType));
        Assert.Equal(TimeSpan.FromSeconds(5), probe.Headers.RetryAfter?.Delta);
        Assert.Equal(accepted + LimitsFixture.PerSession, fixture.Upstream.Accepted);

        // Another session is not affected by this one's cap.
        var other = await Api.LoginAsync();
        using (var bystander = await Api.OpenAsync(other))
        {
            await bystander.AssertEchoAsync("other session");
            await bystander.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }

        // Closing one frees exactly one slot.
        await open[0].CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await WaitUntilAsync(() => Registry.Reserved == LimitsFixture.PerSession - 1);
        using var again = await Api.OpenAsync(session);
        await again.AssertEchoAsync("slot freed");
        Assert.Equal(429, (await Api.TryOpenAsync($"/ws/echo/x?ticket={await Api.TicketAsync(session, TestRoutes.Echo)}")).Status);

        await CloseAllAsync([.. open.Skip(1), again]);
    }

    [Fact]
    public async Task GlobalCap_ConcurrentUpgradesFromSeveralSessions_ExactlyTheCapSucceed_503Audited()
    {
        await WaitUntilAsync(() => Registry.Reserved == 0);
        // One key signs in in turn (concurrent sign-ins with one key would race its signature counter).
        var sessions = new List<TestSession>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await Api.LoginAsync());
        }

        // 3 + 3 + 1 upgrades: no session passes its own cap of 4, together they pass the node's 6 by one.
        var tickets = new List<string>();
        foreach (var (session, count) in sessions.Zip([3, 3, 1]))
        {
            for (var i = 0; i < count; i++)
            {
                tickets.Add(await Api.TicketAsync(session, TestRoutes.Echo));
            }
        }

        var accepted = fixture.Upstream.Accepted;
        var results = await Task.WhenAll(tickets.Select(t => Api.TryOpenAsync($"/ws/echo/x?ticket={t}")));

        var open = results.Where(r => r.Socket is not null).Select(r => r.Socket!).ToList();
        Assert.Equal(LimitsFixture.Total, open.Count);
        Assert.Equal([503], results.Where(r => r.Socket is null).Select(r => r.Status));
        Assert.Equal(accepted + LimitsFixture.Total, fixture.Upstream.Accepted);
        Assert.Contains(Server.Audit.Where(AuditActions.WebSocketUpgradeDenied), r => r.Details["code"] == "websocket_capacity" && r.Outcome == AuditOutcomes.Failure);

        var probe = await Api.ProbeUpgradeAsync($"/ws/echo/x?ticket={await Api.TicketAsync(sessions[2], TestRoutes.Echo)}");
        Assert.Equal((503, "websocket_capacity", "application/problem+json"), (probe.StatusCode, probe.Code, probe.MediaType));
        Assert.Equal(TimeSpan.FromSeconds(5), probe.Headers.RetryAfter?.Delta);

        await CloseAllAsync(open);
        await WaitUntilAsync(() => Registry.Reserved == 0);
    }

    [Fact]
    public async Task Slots_AreGivenBack_OnUpstreamFailureRefusalAndClientAbort()
    {
        await WaitUntilAsync(() => Registry.Reserved == 0);
        var session = await Api.LoginAsync();

        // More failed upgrades than the session's cap: each is 502, none keeps a slot.
        for (var i = 0; i <= LimitsFixture.PerSession; i++)
        {
            var ticket = await Api.TicketAsync(session, LimitsFixture.DeadRoute);
            var probe = await Api.ProbeUpgradeAsync($"/ws/{LimitsFixture.DeadRoute}/x?ticket={ticket}");
            Assert.Equal((502, "upstream_unavailable"), (probe.StatusCode, probe.Code));
        }

        Assert.Equal(0, Registry.Reserved);

        // Clients that vanish without a close handshake give their slots back too.
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < LimitsFixture.PerSession; i++)
        {
            sockets.Add(await Api.OpenAsync(session));
        }

        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        await WaitUntilAsync(() => Registry.Reserved == 0);

        // A refusal that is the cap's own holds no slot either.
        sockets.Clear();
        for (var i = 0; i < LimitsFixture.PerSession; i++)
        {
            sockets.Add(await Api.OpenAsync(session));
        }

        Assert.Equal(429, (await Api.TryOpenAsync($"/ws/echo/x?ticket={await Api.TicketAsync(session, TestRoutes.Echo)}")).Status);
        Assert.Equal(LimitsFixture.PerSession, Registry.Reserved);
        await CloseAllAsync(sockets);
        await WaitUntilAsync(() => Registry.Reserved == 0);
    }

    private static async Task CloseAllAsync(IEnumerable<ClientWebSocket> sockets)
    {
        foreach (var socket in sockets)
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }

            socket.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 15);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "timed out waiting");
            await Task.Delay(20);
        }
    }
}
