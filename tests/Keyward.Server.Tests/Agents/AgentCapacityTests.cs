using Keyward.Core.Agents;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Agents;

/// <summary>The per-node cap on connected agents (<c>Keyward:Agents:MaxAgents</c>).</summary>
public sealed class AgentCapacityTests(AgentCapacityTests.OneAgentHost host) : IClassFixture<AgentCapacityTests.OneAgentHost>
{
    [Fact]
    public async Task Connect_NodeFull_Is503AndAudited_AndThePlaceComesBackWhenTheAgentLeaves()
    {
        var (_, first) = await host.EnrollMachineAsync();
        var (second, secondKey) = await host.EnrollMachineAsync();
        var agent = await host.ConnectAsync(first);
        await host.NewEventsAsync();

        ProblemAssert.Problem(await host.ProbeConnectAsync(secondKey), 503, "agent_capacity");
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.Connected && e.Details.GetValueOrDefault("code") == "agent_capacity" && e.Target == second.ToString());

        await agent.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        agent.Dispose();
        var deadline = DateTime.UtcNow + TestAgent.Patience;
        (TestAgent? Agent, int Status) next = (null, 0);
        while (next.Agent is null && DateTime.UtcNow < deadline)
        {
            next = await host.TryConnectAsync(secondKey);
            if (next.Agent is null)
            {
                Assert.Equal(503, next.Status);
                await Task.Delay(20);
            }
        }

        using var connected = next.Agent;
        Assert.NotNull(connected);
    }

    /// <summary>A host that takes one agent at a time.</summary>
    public sealed class OneAgentHost : AgentHost
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Keyward:Agents:MaxAgents"] = "1",
            ["Keyward:Agents:EnrollPerAddressPerMinute"] = "10000",
        };
    }
}
