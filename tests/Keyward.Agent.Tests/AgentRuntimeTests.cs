using System.Net.WebSockets;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

public sealed class AgentRuntimeTests
{
    [Fact]
    public async Task RunAsync_Connects_WithTheAgentKeySubprotocolAndVersion()
    {
        await using var harness = await AgentHarness.StartAsync();

        var socket = await harness.RunAndConnectAsync();

        Assert.Equal("Bearer kwa_TESTKEYtestkey0123456789abcdefABCDEF", harness.Keyward.LastAuthorization);
        Assert.Equal("keyward-agent.v1", socket.Socket.SubProtocol);
        Assert.False(string.IsNullOrEmpty(socket.AgentVersion));
        Assert.DoesNotContain("kwa_", harness.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectOnceAsync_ServerCertificateFromAnotherCa_IsRefusedBeforeTheUpgrade()
    {
        await using var harness = await AgentHarness.StartAsync();
        using var other = TestCa.Create("Someone else's CA");
        var runtime = new AgentRuntime(harness.Options());

        var outcome = await runtime.ConnectOnceAsync(harness.State, PinnedCa.Only(other.WriteCaPem(harness.Temp.Path)), CancellationToken.None);

        Assert.Equal(ConnectionOutcomeKind.TlsRefused, outcome.Kind);
        Assert.Equal(0, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public async Task ConnectOnceAsync_PinnedCa_ReachesTheServer()
    {
        // The positive twin of the test above: the same harness with the right pin gets through the upgrade.
        await using var harness = await AgentHarness.StartAsync();
        harness.Keyward.RefuseConnect = 503;
        var runtime = new AgentRuntime(harness.Options());

        var outcome = await runtime.ConnectOnceAsync(harness.State, PinnedCa.Only(harness.State.CaPath), CancellationToken.None);

        Assert.Equal(ConnectionOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public async Task RunAsync_Refused401_StopsForGoodWithoutAReconnectLoop()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Keyward.RefuseConnect = 401;

        harness.Run();
        var reason = await harness.Running!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(AgentStopReason.KeyRevoked, reason);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
        Assert.Contains(harness.Log.Lines, l => l.EventId == AgentEventIds.KeyRevoked);
    }

    [Fact]
    public async Task RunAsync_Closed4401_StopsForGoodWithoutReconnecting()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.Socket.CloseAsync((WebSocketCloseStatus)4401, "agent key revoked", CancellationToken.None);
        var reason = await harness.Running!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(AgentStopReason.KeyRevoked, reason);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public async Task RunAsync_ClosedNormally_ReconnectsAfterTheBackoff()
    {
        // The contrast to the 4401 test: any other close is retried.
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        var next = harness.NextConnectionAsync();
        while (!next.IsCompleted)
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(next, Task.Delay(20));
        }

        await next;
        Assert.Equal(2, harness.Keyward.ConnectCalls);
        Assert.False(harness.Running!.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_Closed4409Repeatedly_WarnsOfAStolenKey_AndRetriesAfterAFixedShortWait()
    {
        // A thief with a copy of the key reconnects at once; growing backoff would hand it the machine. Six replacements
        // in a row: the growing backoff would wait 16 s or more by the sixth, the fixed wait is 5 s each time.
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();
        for (var round = 1; round <= 6; round++)
        {
            await socket.Socket.CloseAsync((WebSocketCloseStatus)4409, "replaced by a newer connection", CancellationToken.None);
            await harness.Log.WaitForAsync(AgentEventIds.Reconnecting, round);

            Assert.StartsWith("Reconnecting in 5000 ms |", harness.Log.Lines.Last(l => l.EventId == AgentEventIds.Reconnecting).Text, StringComparison.Ordinal);
            var next = harness.NextConnectionAsync();
            while (!next.IsCompleted)
            {
                harness.Time.Advance(TimeSpan.FromMilliseconds(500));
                await Task.WhenAny(next, Task.Delay(20));
            }

            socket = await next;
            await socket.HelloAsync(30);
        }

        Assert.Equal(7, harness.Keyward.ConnectCalls);
        Assert.False(harness.Running!.IsCompleted);
        var warnings = harness.Log.Lines.Where(l => l.EventId == AgentEventIds.Replaced).ToList();
        Assert.Equal(6, warnings.Count);
        Assert.Contains("key may be stolen", warnings[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Stopped_ClosesTheSocketWithANormalClosure()
    {
        await using var harness = await AgentHarness.StartAsync();
        using var stop = new CancellationTokenSource();
        var runtime = new AgentRuntime(harness.Options());
        var running = runtime.RunAsync(stop.Token);
        var socket = await harness.NextConnectionAsync();
        await socket.HelloAsync();

        await harness.Log.WaitForAsync(AgentEventIds.Connected);

        await stop.CancelAsync();
        var message = await socket.ReceiveAsync();
        await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        Assert.Null(message);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.Socket.CloseStatus);
        Assert.Equal(AgentStopReason.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RunAsync_AfterHello_SendsAHeartbeatEachInterval()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(heartbeatSeconds: 5);

        var first = await harness.ExpectAdvancingAsync(socket, "heartbeat", TimeSpan.FromSeconds(5));
        var second = await harness.ExpectAdvancingAsync(socket, "heartbeat", TimeSpan.FromSeconds(5));

        Assert.Equal("heartbeat", first.GetProperty("type").GetString());
        Assert.Equal("heartbeat", second.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RunAsync_BinaryFrameOver64KiB_ClosesWith1009()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.SendDataAsync(1, new byte[(64 * 1024) - 4 + 1]);
        var message = await socket.ReceiveAsync();

        Assert.Null(message);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.Socket.CloseStatus);
        Assert.Contains(harness.Log.Lines, l => l.EventId == AgentEventIds.FrameTooLarge);
    }

    [Fact]
    public async Task RunAsync_BinaryFrameOfExactly64KiB_IsAccepted()
    {
        // The boundary: a frame at the cap does not close the socket (data for an unknown stream is dropped).
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.SendDataAsync(1, new byte[(64 * 1024) - 4]);
        await socket.SendJsonAsync("""{"type":"open","stream":9,"session":"s1","kind":"tcp","port":1}""");

        var failed = await socket.ExpectAsync("open_failed");
        Assert.Equal(9u, failed.GetProperty("stream").GetUInt32());
    }

    [Fact]
    public async Task RunAsync_MessageBeforeHello_ClosesWith1008()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Run();
        var socket = await harness.NextConnectionAsync();

        await socket.SendJsonAsync("""{"type":"open","stream":1,"session":"s1","kind":"tcp","port":22}""");
        var message = await socket.ReceiveAsync();

        Assert.Null(message);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
    }

    [Fact]
    public async Task RunAsync_NoStateDirectory_ThrowsAStateErrorThatSaysHowToEnroll()
    {
        var runtime = new AgentRuntime(new AgentRuntimeOptions { StateDirectory = Path.Combine(Path.GetTempPath(), "keyward-agent-missing-" + Guid.NewGuid().ToString("N")) });

        var error = await Assert.ThrowsAsync<AgentStateException>(() => runtime.RunAsync(CancellationToken.None));

        Assert.Contains("keyward agent enroll", error.Message, StringComparison.Ordinal);
    }
}
