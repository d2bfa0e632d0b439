using System.Net.WebSockets;
using Keyward.Core.Audit;
using Keyward.WebSockets.Tests.Infrastructure;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// Per-route bounds on the "limited" route (1 KiB from the client, 2 KiB from the upstream, 20 messages per second;
/// the queues are bounded in bytes, see <see cref="SocketLimitsTests"/>): a violation closes that socket (1009 or 1008) and is audited; a parallel socket keeps working.
/// The rate limiter reads the fake clock, which these tests never move, so the bucket never refills.
/// </summary>
public sealed class BoundsTests(GateFixture fixture) : IClassFixture<GateFixture>
{
    private KeywardTestClient Api => fixture.Api;

    [Fact]
    public async Task ClientMessageOverLimit_Closes1009_ParallelSocketKeepsWorking()
    {
        var session = await Api.LoginAsync();
        using var offender = await Api.OpenAsync(session, TestRoutes.Limited);
        using var bystander = await Api.OpenAsync(session, TestRoutes.Limited);

        // Exactly at the limit is fine.
        await offender.SendAsync(new byte[TestRoutes.LimitedClientBytes], WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(TestRoutes.LimitedClientBytes, (await offender.ReceiveAsync()).Payload.Length);

        await offender.SendAsync(new byte[TestRoutes.LimitedClientBytes + 1], WebSocketMessageType.Binary, true, CancellationToken.None);
        var (code, reason, _) = await offender.ExpectCloseAsync();
        Assert.Equal((1009, "message too big"), (code, reason));
        await bystander.AssertEchoAsync("unaffected");
        Assert.Contains(fixture.Server.Audit.Where(AuditActions.WebSocketClosed), r => r.Details["cause"] == "client_message_too_big" && r.Details["close_code"] == "1009");
    }

    [Fact]
    public async Task OversizedFrameInFragments_Closes1009()
    {
        var session = await Api.LoginAsync();
        using var offender = await Api.OpenAsync(session, TestRoutes.Limited);
        for (var i = 0; i < 3; i++)
        {
            await offender.SendAsync(new byte[512], WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        }

        var (code, _, _) = await offender.ExpectCloseAsync();
        Assert.Equal(1009, code);
    }

    [Fact]
    public async Task UpstreamMessageOverLimit_Closes1009_ParallelSocketKeepsWorking()
    {
        var session = await Api.LoginAsync();
        using var offender = await Api.OpenAsync(session, TestRoutes.Limited);
        using var bystander = await Api.OpenAsync(session, TestRoutes.Limited);
        await offender.SendTextAsync($"big:{TestRoutes.LimitedUpstreamBytes + 1}");
        var (code, reason, _) = await offender.ExpectCloseAsync();
        Assert.Equal((1009, "upstream message too big"), (code, reason));
        await bystander.AssertEchoAsync("unaffected");
        Assert.Contains(fixture.Server.Audit.Where(AuditActions.WebSocketClosed), r => r.Details["cause"] == "upstream_message_too_big");
    }

    [Fact]
    public async Task Flood_Closes1008_ParallelSocketKeepsWorking()
    {
        var session = await Api.LoginAsync();
        using var offender = await Api.OpenAsync(session, TestRoutes.Limited);
        using var bystander = await Api.OpenAsync(session, TestRoutes.Limited);
        var close = offender.ExpectCloseAsync();
        try
        {
            for (var i = 0; i < 200 && !close.IsCompleted; i++)
            {
                await offender.SendTextAsync($"flood {i}");
            }
        }
        catch (WebSocketException)
        {
            // Keyward closed it mid-flood.
        }

        var (code, reason, _) = await close;
        Assert.Equal((1008, "message rate exceeded"), (code, reason));
        await bystander.AssertEchoAsync("unaffected");
        Assert.Contains(fixture.Server.Audit.Where(AuditActions.WebSocketClosed), r => r.Details["cause"] == "rate_limited" && r.Details["close_code"] == "1008");
    }

    [Fact]
    public async Task SlowReader_GetsEveryUpstreamMessageInOrder_ThroughBoundedQueues()
    {
        var session = await Api.LoginAsync();
        using var socket = await Api.OpenAsync(session, TestRoutes.Limited);
        await socket.SendTextAsync("flood:300");

        // The client reads late and slowly; the relay holds the upstream back instead of buffering.
        await Task.Delay(300);
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal($"flood {i}", await socket.ReceiveTextAsync());
        }

        await socket.AssertEchoAsync("after the flood");
    }
}
