using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// The relay end to end (docs/remote-support.md, "The viewer socket"): a raw test agent of an enrolled machine, a
/// technician's viewer socket, consent asked once and answered (accept, deny, timeout on the fake clock), bytes both
/// ways exactly, the person ending the session, the agent leaving, and the machine's key revoked.
/// </summary>
public sealed class RelayTests(RelayHost host) : IClassFixture<RelayHost>
{
    private async Task<(Guid Machine, string Key, TestAgent Agent, Guid Session, Keyward.Testing.Hosting.TestSession Admin)> MachineSessionAsync(bool attended = true, string policy = "attended")
    {
        var (machine, key) = await host.EnrollMachineAsync(policy: policy);
        var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine, attended);
        return (machine, key, agent, session, admin);
    }

    private static async Task<JsonObject> ExpectAsync(TestAgent agent, string type)
    {
        var message = await agent.ReadJsonAsync();
        Assert.Equal(type, (string?)message["type"]);
        return message;
    }

    [Fact]
    public async Task Accepted_RelaysBytesBothWaysExactly_AndRecordsThem()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());

        var consent = await ExpectAsync(agent, "consent");
        Assert.Equal((session.ToString(), "admin", "printer jam", 60), ((string?)consent["session"], (string?)consent["technician"], (string?)consent["reason"], (int?)consent["timeout_seconds"]));
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await ExpectAsync(agent, "open");
        Assert.Equal(("tcp", 22, session.ToString()), ((string?)open["kind"], (int?)open["port"], (string?)open["session"]));
        var stream = (uint)open["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream });
        Assert.Equal("active", await viewer.ReadStatusAsync());

        var up = Encoding.ASCII.GetBytes("SSH-2.0-viewer\r\n");
        await viewer.SendAsync(up);
        var (toStream, received) = await agent.ReadBinaryAsync();
        Assert.Equal(stream, toStream);
        Assert.Equal(up, received);
        var down = new byte[40_000];
        Random.Shared.NextBytes(down);
        for (var at = 0; at < down.Length; at += 10_000)
        {
            await agent.SendBinaryAsync(stream, down.AsSpan(at, 10_000));
        }

        Assert.Equal(down, await viewer.ReadBytesAsync(down.Length));
        Assert.Equal(SupportSessionStates.Active, (await host.SessionAsync(session)).State);

        // The viewer leaves: its stream is closed on the agent; the session stays open (a forward is many connections)
        // and now expires IdleLifetime (5 min) from now instead of in 12 h.
        await viewer.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.Equal(stream, (uint)(await ExpectAsync(agent, "close"))["stream"]!);
        Assert.True(await host.IdleDeadlineAsync(session, host.Time.GetUtcNow() + TimeSpan.FromMinutes(5)), "the last viewer leaving did not start the idle countdown");
        Assert.True((await host.SessionAsync(session)).IsOpen);
        var events = await host.NewEventsAsync();
        var closed = Assert.Single(events, e => e.Action == SupportAuditActions.RelayClosed && e.Target == session.ToString());
        Assert.Equal((up.Length.ToString(), down.Length.ToString()), (closed.Details["bytes_to_agent"], closed.Details["bytes_to_viewer"]));
        Assert.Contains(events, e => e.Action == SupportAuditActions.ConsentAsked && e.Target == session.ToString());
        Assert.Contains(events, e => e.Action == SupportAuditActions.ConsentGiven && e.Target == session.ToString());
        Assert.Contains(events, e => e.Action == SupportAuditActions.RelayOpened && e.Target == session.ToString());
        var bytes = await host.Host.GetRequiredService<SupportSessionService>().BytesAsync(session);
        Assert.Equal(((long)up.Length, (long)down.Length), bytes);

        // With no viewer for IdleLifetime the reaper ends it.
        host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31));
        Assert.Equal(SupportEndReasons.Expired, await host.EndedReasonAsync(session));
        Assert.Equal(session.ToString(), (string?)(await ExpectAsync(agent, "end"))["session"]);
    }

    [Fact]
    public async Task AViewerJoiningAfterTheLastLeft_IsRelayedWithoutAskingAgain_AndStopsTheIdleCountdown()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        var first = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await first.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var stream = (uint)(await ExpectAsync(agent, "open"))["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream });
        Assert.Equal("active", await first.ReadStatusAsync());
        await first.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        first.Dispose();
        Assert.Equal(stream, (uint)(await ExpectAsync(agent, "close"))["stream"]!);
        Assert.True(await host.IdleDeadlineAsync(session, host.Time.GetUtcNow() + TimeSpan.FromMinutes(5)), "the last viewer leaving did not start the idle countdown");

        // Four minutes later (inside IdleLifetime) the technician connects again: no second consent, a new stream.
        host.Time.Advance(TimeSpan.FromMinutes(4));
        using var second = await host.OpenViewerAsync(admin, session);
        var open = await ExpectAsync(agent, "open");
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        var status = await second.ReadStatusAsync();
        if (status == "waiting_consent")
        {
            // Said while the relay looks the answer up; the agent was not asked again (its next message was the open).
            status = await second.ReadStatusAsync();
        }

        Assert.Equal("active", status);

        // The countdown stopped: well past the first deadline the session is still open.
        host.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.True((await host.SessionAsync(session)).IsOpen);
        Assert.True((await host.SessionAsync(session)).ExpiresAt > host.Time.GetUtcNow() + TimeSpan.FromHours(1));
    }


    [Fact]
    public async Task Denied_ClosesTheViewerWith4403_AndRelaysNothingBefore()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");

        // Sent before consent: read and dropped, never relayed.
        await viewer.SendAsync(Encoding.ASCII.GetBytes("too early"));
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = false });

        Assert.Equal((4403, "consent_denied", 0), await viewer.ReadCloseAsync());
        var next = await ExpectAsync(agent, "end");
        Assert.Equal(session.ToString(), (string?)next["session"]);
        Assert.Equal(SupportEndReasons.ConsentDenied, await host.EndedReasonAsync(session));
        var events = await host.NewEventsAsync();
        Assert.Contains(events, e => e.Action == SupportAuditActions.ConsentDenied && e.Target == session.ToString());
        Assert.DoesNotContain(events, e => e.Action == SupportAuditActions.RelayOpened && e.Target == session.ToString());
    }

    [Fact]
    public async Task RelayEndsTheSession_TheAgentIsToldEndOnce()
    {
        var (machine, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using (var viewer = await host.OpenViewerAsync(admin, session))
        {
            Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
            var consent = await ExpectAsync(agent, "consent");
            await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = false });
            Assert.Equal((4403, "consent_denied", 0), await viewer.ReadCloseAsync());
        }

        // The closer and the sweeper both end it; the agent hears of it once. The next frame it gets is the next
        // session's question, not a second end.
        Assert.Equal(session.ToString(), (string?)(await ExpectAsync(agent, "end"))["session"]);
        Assert.Equal(SupportEndReasons.ConsentDenied, await host.EndedReasonAsync(session));
        var (next, _) = await host.OpenSessionAsync(admin, machine, true);
        using var second = await host.OpenViewerAsync(admin, next);
        var asked = await agent.ReadJsonAsync();
        Assert.Equal(("consent", next.ToString()), ((string?)asked["type"], (string?)asked["session"]));
    }

    [Fact]
    public async Task NoAnswer_TimesOutOnTheClock_ClosingTheViewerWith4408()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        await ExpectAsync(agent, "consent");

        var closing = viewer.ReadCloseAsync();
        for (var i = 0; i < 120 && !closing.IsCompleted; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(closing, Task.Delay(50));
        }

        Assert.Equal((4408, "consent_timeout", 0), await closing);
        Assert.Equal(SupportEndReasons.ConsentTimeout, await host.EndedReasonAsync(session));
        Assert.Contains(await host.NewEventsAsync(), e => e.Action == SupportAuditActions.ConsentTimedOut && e.Target == session.ToString());
    }

    [Fact]
    public async Task TwoViewers_ShareOneConsentQuestion()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var first = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await first.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");
        using var second = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await second.ReadStatusAsync());

        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });

        // Two opens, one per viewer, and no second question.
        var opens = new[] { await agent.ReadJsonAsync(), await agent.ReadJsonAsync() };
        Assert.All(opens, o => Assert.Equal("open", (string?)o["type"]));
        foreach (var open in opens)
        {
            await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        }

        Assert.Equal("active", await first.ReadStatusAsync());
        Assert.Equal("active", await second.ReadStatusAsync());
        Assert.Single(await host.NewEventsAsync(), e => e.Action == SupportAuditActions.ConsentAsked && e.Target == session.ToString());
    }

    [Fact]
    public async Task ThePersonEndsTheSession_ClosesTheViewerWith4410()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await ExpectAsync(agent, "open");
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        Assert.Equal("active", await viewer.ReadStatusAsync());

        await agent.SendJsonAsync(new { type = "end", session = session.ToString() });

        Assert.Equal((4410, "ended_at_machine", 0), await viewer.ReadCloseAsync());
        Assert.Equal(SupportEndReasons.EndedAtMachine, await host.EndedReasonAsync(session));
    }

    [Fact]
    public async Task AnAgentsEnd_ForAnotherMachinesSession_EndsNothing_AndClosesItsLink1008()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        var (_, otherKey) = await host.EnrollMachineAsync();
        using var other = await host.ConnectAsync(otherKey);
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");

        await other.SendJsonAsync(new { type = "end", session = session.ToString() });
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });

        // The right agent's answer still opens the stream: the other agent's end changed nothing, and closed its own link
        // (a session Keyward never named to that link, decided without the database).
        await ExpectAsync(agent, "open");
        Assert.True((await host.SessionAsync(session)).IsOpen);
        Assert.Equal(1008, (await other.ReadCloseAsync()).Status);
    }

    [Fact]
    public async Task TheAgentLeaves_ClosesTheViewerWith4502_AndEndsTheSession()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        await ExpectAsync(agent, "consent");

        agent.Socket.Abort();
        agent.Dispose();

        Assert.Equal((4502, "agent_gone", 0), await viewer.ReadCloseAsync());
        Assert.Equal(SupportEndReasons.AgentGone, await host.EndedReasonAsync(session));
    }

    [Fact]
    public async Task RevokingTheMachinesKey_ClosesTheAgentAndTheViewers()
    {
        var (machine, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        await ExpectAsync(agent, "consent");

        var revoker = await host.AdminAsync();
        var revoked = await host.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new JsonObject(), revoker.Token);
        Assert.Equal(204, revoked.StatusCode);

        var (status, ended, binary) = await viewer.ReadCloseAsync();
        Assert.Equal((4410, SupportEndReasons.MachineRevoked, 0), (status, ended, binary));
        Assert.Equal(4401, (await agent.ReadCloseAsync()).Status);
        Assert.Equal(SupportEndReasons.MachineRevoked, await host.EndedReasonAsync(session));
    }

    [Fact]
    public async Task NoAgentYet_TheViewerWaits_ThenConsentIsAskedWhenItConnects()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_agent", await viewer.ReadStatusAsync());

        using var agent = await host.ConnectAsync(key);

        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        Assert.Equal(session.ToString(), (string?)(await ExpectAsync(agent, "consent"))["session"]);
    }

    [Fact]
    public async Task Unattended_NeedsNoConsent()
    {
        var (machine, key) = await host.EnrollMachineAsync(policy: "unattended");
        using var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine, attended: false);
        await host.Client.StepUpAsync(admin.Token, "support.join", session.ToString());
        using var viewer = await host.OpenViewerAsync(admin, session, "kind=terminal&cols=80&rows=24");

        var open = await ExpectAsync(agent, "open");
        Assert.Equal(("terminal", 80, 24), ((string?)open["kind"], (int?)open["cols"], (int?)open["rows"]));
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        Assert.Equal("active", await viewer.ReadStatusAsync());

        await viewer.SendTextAsync("{\"type\":\"resize\",\"cols\":120,\"rows\":40}");
        var resize = await ExpectAsync(agent, "resize");
        Assert.Equal(((uint)open["stream"]!, 120, 40), ((uint)resize["stream"]!, (int?)resize["cols"], (int?)resize["rows"]));
    }

    [Fact]
    public async Task APortTheAgentRefuses_ClosesTheViewerWith4504_AndTheSessionStaysOpen()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session, "kind=tcp&port=25");
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await ExpectAsync(agent, "open");
        await agent.SendJsonAsync(new { type = "open_failed", stream = (uint)open["stream"]!, code = "port_not_allowed" });

        Assert.Equal((4504, "open_failed:port_not_allowed", 0), await viewer.ReadCloseAsync());
        Assert.True((await host.SessionAsync(session)).IsOpen);
    }

    [Theory]
    [InlineData("")]
    [InlineData("kind=tcp")]
    [InlineData("kind=tcp&port=0")]
    [InlineData("kind=tcp&port=70000")]
    [InlineData("kind=terminal&cols=80")]
    [InlineData("kind=ssh&port=22")]
    public async Task AMissingOrMalformedTarget_Is400_AndTheTokenIsNotSpent(string target)
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        var token = await host.JoinTokenAsync(admin, session);

        var (refused, status) = await host.Client.TryOpenAsync($"/viewer/v1/sessions/{session}?{target}&join={Uri.EscapeDataString(token)}", origin: null);
        Assert.Null(refused);
        Assert.Equal(400, status);

        var (socket, opened) = await host.Client.TryOpenAsync($"/viewer/v1/sessions/{session}?kind=tcp&port=22&join={Uri.EscapeDataString(token)}", origin: null);
        using var viewer = new TestViewer(socket!);
        Assert.Equal(101, opened);
    }

    [Fact]
    public async Task ATextFrameThatIsNotResize_Closes1008()
    {
        var (_, _, agent, session, admin) = await MachineSessionAsync();
        using var _ = agent;
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());

        await viewer.SendTextAsync("{\"type\":\"consent_result\",\"accepted\":true}");

        Assert.Equal((1008, "protocol_violation", 0), await viewer.ReadCloseAsync());
    }
}
