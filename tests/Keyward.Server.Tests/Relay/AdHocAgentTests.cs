using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// An ad-hoc agent binds with a support code on <c>/agent/v1/connect</c>: the code works once (consumed atomically),
/// the link serves that one session and no other, and the relay runs through it like a machine's.
/// </summary>
public sealed class AdHocAgentTests(RelayHost host) : IClassFixture<RelayHost>
{
    [Fact]
    public async Task ASupportCode_BindsOnce_AndItsLinkServesItsSession()
    {
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);
        using var agent = await host.ConnectAsync(code!);
        Assert.Equal(session.ToString(), (string?)agent.Hello["machine_id"]);
        Assert.NotNull(host.Host.GetRequiredService<AgentDirectory>().FindAdHoc(session));
        Assert.Null(host.Host.GetRequiredService<AgentDirectory>().Find(session));

        ProblemAssert.Problem(await host.ProbeConnectAsync(code!), 401, "support_code_invalid");

        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await agent.ReadJsonAsync();
        Assert.Equal(("consent", session.ToString()), ((string?)consent["type"], (string?)consent["session"]));
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        Assert.Equal("active", await viewer.ReadStatusAsync());
        await viewer.SendAsync([1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, (await agent.ReadBinaryAsync()).Payload);

        var events = await host.NewEventsAsync();
        Assert.Contains(events, e => e.Action == SupportAuditActions.CodeConsumed && e.Target == session.ToString());
        Assert.Contains(events, e => e.Action == SupportAuditActions.CodeRefused && e.Details.GetValueOrDefault("reason") == "consumed");
        Assert.DoesNotContain(events, e => e.Details.Values.Any(v => v.Contains(code!, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheLastViewerLeaving_AnAdHocSessionEndsWhenIdleLifetimeRunsOut()
    {
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);
        using var agent = await host.ConnectAsync(code!);
        var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        await agent.ReadJsonAsync();

        await viewer.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        viewer.Dispose();

        Assert.True(await host.IdleDeadlineAsync(session, host.Time.GetUtcNow() + TimeSpan.FromMinutes(5)), "the last viewer leaving did not start the idle countdown");
        Assert.True((await host.SessionAsync(session)).IsOpen);
        host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31));
        Assert.Equal(SupportEndReasons.Expired, await host.EndedReasonAsync(session));
        Assert.Equal(session.ToString(), (string?)(await agent.ReadJsonAsync())["session"]);
    }

    [Fact]
    public async Task AnAdHocAgent_IsNotAMachine_ItsLinkServesNoMachineSession()
    {
        var admin = await host.AdminAsync();
        var (adHoc, code) = await host.OpenSessionAsync(admin, machine: null);
        using var agent = await host.ConnectAsync(code!);
        var (machine, _) = await host.EnrollMachineAsync();
        var (machineSession, _) = await host.OpenSessionAsync(admin, machine);

        using var viewer = await host.OpenViewerAsync(admin, machineSession);

        // The machine's agent is not connected; the ad-hoc link is not it.
        Assert.Equal("waiting_agent", await viewer.ReadStatusAsync());
        var link = host.Host.GetRequiredService<AgentDirectory>().FindAdHoc(adHoc)!;
        Assert.False(link.Serves((await host.SessionAsync(machineSession))));
    }

    /// <summary>
    /// Review 11b, finding 3. A support code is single use, so it is checked and spent only for an agent's WebSocket
    /// upgrade: one plain GET with the code (a person "testing" it, a proxy's health probe, a client without the
    /// subprotocol) is refused with 400 agent_upgrade_required and leaves the code for the real agent, as the viewer
    /// plane leaves its token unspent in the same case.
    /// </summary>
    [Fact]
    public async Task ASupportCode_IsNotSpent_ByARequestThatIsNotAnAgentUpgrade()
    {
        var admin = await host.AdminAsync();
        var (_, code) = await host.OpenSessionAsync(admin, machine: null);

        var plain = await host.Client.SendAsync(HttpMethod.Get, "/agent/v1/connect", configure: AgentHost.Bearer(code!));
        ProblemAssert.Problem(plain, 400, "agent_upgrade_required");

        var (agent, status) = await host.TryConnectAsync(code!);
        using var _ = agent;
        Assert.Equal(101, status);
    }

    /// <summary>
    /// Review 11b, finding 6. Each <c>end</c> frame an agent sent used to start an unawaited database lookup, whatever
    /// session id it named, with nothing bounding how many ran at once: an ad-hoc agent run by a stranger holding a
    /// support code could hold the database's connection pool and the thread pool for everyone. An ad-hoc link serves
    /// exactly one session, known without the database: an <c>end</c> naming another is a protocol violation (1008),
    /// like an unknown stream id.
    /// </summary>
    [Fact]
    public async Task AnAdHocAgentsEnd_ForASessionItDoesNotServe_IsAViolation_NotADatabaseLookup()
    {
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);
        using var agent = await host.ConnectAsync(code!);

        await agent.SendJsonAsync(new { type = "end", session = Guid.NewGuid().ToString() });

        Assert.Equal(1008, (await agent.ReadCloseAsync()).Status);
        Assert.True((await host.SessionAsync(session)).IsOpen);
    }
}

/// <summary>Guessing support codes on the agent plane hits the per-address limit (its own host: the limit is per node).</summary>
public sealed class AdHocGuessingTests(RelayHost host) : IClassFixture<RelayHost>
{
    [Fact]
    public async Task WrongCodes_FromOneAddress_HitTheLimit_WithoutLockingTheRealCodeOut()
    {
        var admin = await host.AdminAsync();
        var (_, code) = await host.OpenSessionAsync(admin, machine: null);
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var guess = Keyward.Core.Credentials.HumanCode.Generate();
            var answer = await host.ProbeConnectAsync(guess);
            statuses.Add(answer.StatusCode);
            if (answer.StatusCode == 401)
            {
                ProblemAssert.Problem(answer, 401, "support_code_invalid");
            }
        }

        Assert.Equal(Enumerable.Repeat(401, 10), statuses.Take(10));
        ProblemAssert.Problem(await host.ProbeConnectAsync(Keyward.Core.Credentials.HumanCode.Generate()), 429, "support_code_rate_limited");

        // A minute later (fake clock), the real code still binds: guessing locked nothing out.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        using var agent = await host.ConnectAsync(code!);
        Assert.Equal("hello", (string?)agent.Hello["type"]);
    }
}

/// <summary>A support code presented while the node is full is refused before it is spent (its own host: one agent a node).</summary>
public sealed class AdHocCapacityTests(AdHocCapacityTests.OneAgentHost host) : IClassFixture<AdHocCapacityTests.OneAgentHost>
{
    [Fact]
    public async Task ASupportCode_PresentedWhileTheNodeIsFull_Is503_AndStillBindsOnceThereIsRoom()
    {
        var (_, key) = await host.EnrollMachineAsync();
        var machineAgent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);

        ProblemAssert.Problem(await host.ProbeConnectAsync(code!), 503, "agent_capacity");

        await machineAgent.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        machineAgent.Dispose();
        var deadline = DateTime.UtcNow + TestAgent.Patience;
        (TestAgent? Agent, int Status) next = (null, 0);
        while (next.Agent is null && DateTime.UtcNow < deadline)
        {
            next = await host.TryConnectAsync(code!);
            if (next.Agent is null)
            {
                // Never 401: the refusals while full left the code unspent.
                Assert.Equal(503, next.Status);
                await Task.Delay(20);
            }
        }

        using var adHoc = next.Agent;
        Assert.NotNull(adHoc);
        await adHoc.ReadHelloAsync();
        Assert.Equal(session.ToString(), (string?)adHoc.Hello["machine_id"]);
    }

    /// <summary>A relay host that takes one agent at a time.</summary>
    public sealed class OneAgentHost : RelayHost
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["Keyward:Agents:MaxAgents"] = "1",
        };
    }
}
