using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Server.Agents;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// The protocol says <c>hello</c> comes first. A link is in the directory (so the support slice can ask it for consent
/// or a stream) a moment before it has sent <c>hello</c>; whatever is asked of it in that moment waits for <c>hello</c>.
/// </summary>
public sealed class AgentLinkOrderTests(AgentHost host) : IClassFixture<AgentHost>
{
    [Fact]
    public async Task ConsentAskedBeforeTheLinkRuns_ReachesTheAgentAfterHello()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        using var keywardSide = WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true });
        using var agentSide = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false });
        var machine = new MachineInfo(Guid.NewGuid(), Tenants.Default, "order", AgentPolicies.Attended, Joiners.AdminsOnly, DateTimeOffset.UnixEpoch, null, null, null, null, null);
        var link = new AgentLink(keywardSide, machine, "test", new AgentOptions(), TimeProvider.System, host.Host.GetRequiredService<MachineService>(), NullLogger.Instance);

        var session = Guid.NewGuid();
        var asking = link.AskConsentAsync(new ConsentRequest(session, "alice", "early"), CancellationToken.None);
        var running = link.RunAsync(CancellationToken.None);

        Assert.Equal("hello", (string?)(await ReadJsonAsync(agentSide))["type"]);
        var asked = await ReadJsonAsync(agentSide);
        Assert.Equal(("consent", session.ToString()), ((string?)asked["type"], (string?)asked["session"]));

        await agentSide.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(ConsentAnswer.Gone, await asking.WaitAsync(TestAgent.Patience));
        await running.WaitAsync(TestAgent.Patience);
    }

    private static async Task<JsonObject> ReadJsonAsync(WebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestAgent.Patience);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return JsonNode.Parse(buffer.AsSpan(0, result.Count))!.AsObject();
    }
}
