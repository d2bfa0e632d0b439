using System.Net.WebSockets;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

/// <summary>
/// The ad-hoc agent (docs/remote-support.md, "Ad-hoc agent"): the support code as Bearer instead of a key, one
/// connection, no reconnect after its session ends, a stop at once on 401; the code never in ToString.
/// </summary>
public sealed class AdHocAgentTests
{
    private const string Code = "abcd-efgh-jkmn";

    [Fact]
    public async Task AdHoc_PresentsTheCodeAsBearer_AndStopsWithoutReconnectWhenItsSessionEnds()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => AdHoc(o, harness));

        Assert.Equal("Bearer ABCD-EFGH-JKMN", harness.Keyward.LastAuthorization);
        await socket.SendJsonAsync("""{"type":"end","session":"6f1c2a52-8e0b-4a43-9d8e-0d6f0c1d2e3f","reason":"ended"}""");
        await AnswerCloseAsync(socket);

        Assert.Equal(AgentStopReason.SessionEnded, await harness.Running!);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public async Task AdHoc_KeywardClosesTheSocket_DoesNotReconnect()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => AdHoc(o, harness));

        await socket.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "session over", CancellationToken.None);
        socket.Finish();

        Assert.Equal(AgentStopReason.SessionEnded, await harness.Running!);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public async Task AdHoc_401OnConnect_StopsAtOnce()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Keyward.RefuseConnect = 401;
        harness.Run(o => AdHoc(o, harness));

        Assert.Equal(AgentStopReason.SupportCodeRefused, await harness.Running!);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Fact]
    public void AdHocConnection_ToString_HoldsNoCode()
    {
        var connection = new AdHocConnection(new Uri("https://keyward.example:8443"), "/tmp/ca.pem", Code);

        Assert.DoesNotContain("ABCD", connection.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Options_BothStateDirectoryAndAdHoc_AreRefused()
    {
        var options = new AgentRuntimeOptions { StateDirectory = "/tmp/state", AdHoc = new AdHocConnection(new Uri("https://keyward.example:8443"), "/tmp/ca.pem", Code) };

        Assert.Throws<ArgumentException>(() => new AgentRuntime(options));
    }

    private static AgentRuntimeOptions AdHoc(AgentRuntimeOptions options, AgentHarness harness) =>
        options with { StateDirectory = null, AdHoc = new AdHocConnection(harness.Keyward.Address, harness.State.CaPath, Code) };

    // The agent closes after end; Keyward answers its close.
    private static async Task AnswerCloseAsync(AgentSocket socket)
    {
        while (await socket.ReceiveAsync() is not null)
        {
        }

        await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        socket.Finish();
    }
}
