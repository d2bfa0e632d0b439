using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Agents;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// The agent socket (<c>keyward-agent.v1</c>) against raw test agents: hello, who may connect, revocation and deletion
/// closing the live socket and refusing reconnects, replacement, heartbeat timeout on the fake clock, frame bounds and
/// protocol violations.
/// </summary>
public sealed class AgentSocketTests(AgentHost host) : IClassFixture<AgentHost>
{
    private AgentDirectory Directory => host.Host.GetRequiredService<AgentDirectory>();

    [Fact]
    public async Task Connect_LiveKey_SaysHelloAsItsOwnMachine_AndIsListedOnline()
    {
        var (machine, key) = await host.EnrollMachineAsync("hello box");

        using var agent = await host.ConnectAsync(key);

        Assert.Equal(machine.ToString(), (string?)agent.Hello["machine_id"]);
        Assert.Equal("hello box", (string?)agent.Hello["label"]);
        Assert.Equal(20, (int?)agent.Hello["heartbeat_seconds"]);
        Assert.Equal("keyward-agent.v1", agent.Socket.SubProtocol);
        var admin = await host.AdminAsync();
        var listed = (await host.Client.GetAsync("/api/admin/machines", admin.Token)).Json.EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == machine);
        Assert.True(listed.GetProperty("online").GetBoolean());
        Assert.Equal("attended", listed.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task Connect_WithoutTheSubprotocolOrAnUpgrade_IsRefusedBeforeAnything()
    {
        var (_, key) = await host.EnrollMachineAsync();

        ProblemAssert.Problem(await host.ProbeConnectAsync(key, subProtocol: "chat"), 400, "agent_upgrade_required");
        ProblemAssert.Problem(await host.Client.GetAsync("/agent/v1/connect", configure: AgentHost.Bearer(key)), 400, "agent_upgrade_required");
    }

    [Fact]
    public async Task Connect_OtherKindsOfCredential_AreRefused401AgentKeyInvalid_AndAudited()
    {
        var admin = await host.AdminAsync();
        var token = await host.MintEnrollTokenAsync();
        await host.NewEventsAsync();

        ProblemAssert.Problem(await host.ProbeConnectAsync(admin.Token), 401, "agent_key_invalid");
        ProblemAssert.Problem(await host.ProbeConnectAsync(token), 401, "agent_key_invalid");
        ProblemAssert.Problem(await host.ProbeConnectAsync(Keyward.Core.Credentials.SecretToken.Generate(Keyward.Core.Credentials.CredentialKind.Agent)), 401, "agent_key_invalid");

        var events = await host.NewEventsAsync();
        var session = Assert.Single(events, e => e.Action == AgentAuditActions.KeyRefused);
        Assert.Equal(("agent_key_invalid", "kws_"), (session.Details["code"], session.Details["presented"]));
        Assert.Contains(events, e => e.Details.GetValueOrDefault("codes")?.Contains("agent_key_invalid=2", StringComparison.Ordinal) == true);
        ProblemAssert.Ok(await host.EnrollAsync(token));
    }

    [Fact]
    public async Task RevokeKey_ClosesTheLiveSocketWith4401_AndReconnectsAreRefused()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var (_, otherKey) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);
        using var other = await host.ConnectAsync(otherKey);
        var admin = await host.AdminAsync();
        await host.NewEventsAsync();

        ProblemAssert.Ok(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), admin.Token), 204);

        Assert.Equal(4401, (await agent.ReadCloseAsync()).Status);
        ProblemAssert.Problem(await host.ProbeConnectAsync(key), 401, "agent_key_revoked");
        Assert.False(Directory.Find(Guid.Parse((string)other.Hello["machine_id"]!))!.IsClosing);
        var events = await host.NewEventsAsync();
        Assert.Contains(events, e => e.Action == AgentAuditActions.KeyRevoked && e.Target == machine.ToString());
        Assert.Contains(events, e => e.Action == AgentAuditActions.KeyRefused && e.Details["code"] == "agent_key_revoked" && e.Target == machine.ToString());
    }

    [Fact]
    public async Task RevokeKey_WithoutStepUp_IsRefused_AndTheAgentStaysConnected()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);
        var admin = await host.Client.LoginAsync("admin");

        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), admin.Token), 401, "step_up_required");
        ProblemAssert.Problem(await host.Client.DeleteAsync($"/api/admin/machines/{machine}", admin.Token), 401, "step_up_required");

        Assert.False(Directory.Find(machine)!.IsClosing);
        Assert.True((await host.Host.GetRequiredService<MachineService>().FindAsync(machine, Keyward.Core.Storage.Tenants.Default))!.KeyRevokedAt is null);
    }

    [Fact]
    public async Task MachineAdmin_ByANonAdmin_IsRefused403()
    {
        var (machine, _) = await host.EnrollMachineAsync();
        var admin = await host.AdminAsync();
        var key = KeywardTestClient.NewKey();
        await host.Client.RegisterWithInviteAsync(await host.Client.CreateInviteAsync(admin.Token, $"tech{Guid.NewGuid():N}"[..12], "user"), key);
        var user = await host.Client.LoginAsync(null, key);

        ProblemAssert.Problem(await host.Client.GetAsync("/api/admin/machines", user.Token), 403, "role_required");
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), user.Token), 403, "role_required");
        ProblemAssert.Problem(await host.Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new JsonObject { ["label"] = "x" }, user.Token), 403, "role_required");
    }

    [Fact]
    public async Task DeleteMachine_ClosesTheLiveSocketWith4401_AndReconnectsAreRefused()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();

        ProblemAssert.Ok(await host.Client.DeleteAsync($"/api/admin/machines/{machine}", admin.Token), 204);

        Assert.Equal(4401, (await agent.ReadCloseAsync()).Status);
        ProblemAssert.Problem(await host.ProbeConnectAsync(key), 401, "agent_machine_deleted");
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == AgentAuditActions.MachineDeleted && e.Target == machine.ToString());
    }

    [Fact]
    public async Task RevokedOnAnotherNode_TheSweepClosesTheSocket()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        // Another node's revocation: the row changes, no event reaches this node.
        var other = new MachineService(host.Host.GetRequiredService<Keyward.Core.Storage.KeywardDatabase>(), host.Time);
        Assert.True(await other.RevokeKeyAsync(machine, Keyward.Core.Storage.Tenants.Default));

        Assert.Equal(4401, (await agent.ReadCloseAsync()).Status);
    }

    [Fact]
    public async Task NewerConnection_ReplacesTheOlderWith4409()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var first = await host.ConnectAsync(key);

        using var second = await host.ConnectAsync(key);

        Assert.Equal(4409, (await first.ReadCloseAsync()).Status);
        Assert.False(Directory.Find(machine)!.IsClosing);
    }

    [Fact]
    public async Task Heartbeat_SilentForThreeIntervals_ClosesWith4408_NotBefore()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        host.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(Directory.Find(machine)!.IsClosing);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(4408, (await agent.ReadCloseAsync()).Status);
    }

    [Fact]
    public async Task OversizeBinaryFrame_ClosesWith1009()
    {
        var (_, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        await agent.SendBinaryAsync(1, new byte[16384 - 4 + 1]);

        Assert.Equal(1009, (await agent.ReadCloseAsync()).Status);
    }

    [Fact]
    public async Task OversizeTextFrame_ClosesWith1009()
    {
        var (_, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        await agent.SendJsonAsync(new { type = "heartbeat", pad = new string('x', 16 * 1024) });

        Assert.Equal(1009, (await agent.ReadCloseAsync()).Status);
    }

    [Theory]
    [InlineData("{\"type\":\"take_over\",\"machine_id\":\"00000000-0000-0000-0000-000000000001\"}")]
    [InlineData("not json")]
    [InlineData("{\"type\":\"opened\",\"stream\":7}")]
    public async Task ProtocolViolation_ClosesWith1008(string message)
    {
        var (_, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);

        await agent.Socket.SendAsync(Encoding.UTF8.GetBytes(message), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(1008, (await agent.ReadCloseAsync()).Status);
    }

    [Fact]
    public async Task Disconnect_IsAudited()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var agent = await host.ConnectAsync(key);
        await host.NewEventsAsync();

        await agent.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        agent.Dispose();

        var deadline = DateTime.UtcNow + TestAgent.Patience;
        var events = new List<Keyward.Core.Audit.AuditEvent>();
        while (!events.Any(e => e.Action == AgentAuditActions.Disconnected && e.Target == machine.ToString()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            events.AddRange(await host.NewEventsAsync());
        }

        var disconnected = Assert.Single(events, e => e.Action == AgentAuditActions.Disconnected && e.Target == machine.ToString());
        Assert.Equal("1000", disconnected.Details["close_status"]);
        Assert.Equal("machine:" + machine, disconnected.Actor);
    }
}
