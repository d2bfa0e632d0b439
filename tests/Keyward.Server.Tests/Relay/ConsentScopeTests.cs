using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing.Hosting;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// What a consent covers (docs/remote-support.md, "Consent and relay"): one support session, one connection of the
/// machine's agent and one technician. A new agent connection, or another technician, is asked again.
/// </summary>
public sealed class ConsentScopeTests(RelayHost host) : IClassFixture<RelayHost>
{
    private static int _names;

    private static async Task<JsonObject> ExpectAsync(TestAgent agent, string type)
    {
        var message = await agent.ReadJsonAsync();
        Assert.Equal(type, (string?)message["type"]);
        return message;
    }

    // A viewer of the admin on an attended machine session, consented and active; its stream id.
    private static async Task<uint> ConsentedViewerAsync(TestAgent agent, TestViewer viewer)
    {
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await ExpectAsync(agent, "consent");
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var stream = (uint)(await ExpectAsync(agent, "open"))["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream });
        Assert.Equal("active", await viewer.ReadStatusAsync());
        return stream;
    }

    /// <summary>
    /// Review 11b, finding 1. The person at the machine consented through one agent connection; that agent then went away while no
    /// viewer was connected (the person quit it, the machine rebooted, someone else sat down), which does not end the
    /// session. Had ConsentBook kept "accepted" for the session, the technician's next viewer would be relayed through the
    /// NEW connection without anyone at the machine being asked. Consent does not outlive the connection that gave it.
    /// </summary>
    [Fact]
    public async Task Consent_IsAskedAgain_WhenTheMachinesAgentReconnectedSinceItWasGiven()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        var first = await host.OpenViewerAsync(admin, session);
        var stream = await ConsentedViewerAsync(agent, first);
        await first.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        first.Dispose();
        Assert.Equal(stream, (uint)(await ExpectAsync(agent, "close"))["stream"]!);

        // The agent at the machine goes away with no viewer connected; the support session stays open (idle countdown).
        agent.Socket.Abort();
        agent.Dispose();
        var directory = host.Host.GetRequiredService<AgentDirectory>();
        for (var i = 0; i < 500 && directory.Find(machine) is not null; i++)
        {
            await Task.Delay(20);
        }

        Assert.Null(directory.Find(machine));
        Assert.True((await host.SessionAsync(session)).IsOpen);

        // The machine's agent connects again (a new process, perhaps a new person at the machine) and the technician joins.
        using var again = await host.ConnectAsync(key);
        using var second = await host.OpenViewerAsync(admin, session);

        // Nobody on this connection has been asked: the next thing the agent gets must be the question, not an open.
        var next = await again.ReadJsonAsync();
        Assert.Equal("consent", (string?)next["type"]);
    }

    /// <summary>
    /// Review 11b, finding 2. Every account the machine allows (joiners by role) may mint a join token for a session
    /// another technician opened (SupportDesk.JoinAsync checks the machine's policy). Consent asked once per session
    /// would relay bob on "admin asks to connect": the person agreed to admin, not bob. Consent is per technician, so
    /// the person at the machine is asked about bob, by name, before bob's stream opens.
    /// </summary>
    [Fact]
    public async Task AnotherTechnician_IsAskedAboutByName_NotRelayedOnConsentGivenToTheFirst()
    {
        var joiners = new JsonObject { ["roles"] = new JsonArray("admin", "user") };
        var enrolled = await host.EnrollAsync(await host.MintEnrollTokenAsync(joiners: joiners));
        ProblemAssert.Ok(enrolled);
        var (machine, key) = (Guid.Parse(enrolled.GetString("machine_id")), enrolled.GetString("agent_key"));
        using var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        using var adminViewer = await host.OpenViewerAsync(admin, session);
        await ConsentedViewerAsync(agent, adminViewer);

        var name = $"bob{Interlocked.Increment(ref _names)}";
        var bobKey = KeywardTestClient.NewKey();
        await host.Client.RegisterWithInviteAsync(await host.Client.CreateInviteAsync(admin.Token, name, "user"), bobKey);
        var bob = await host.Client.LoginAsync(name, bobKey);
        var joined = await host.Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/join", new JsonObject(), bob.Token);
        ProblemAssert.Ok(joined);
        var (socket, status) = await host.Client.TryOpenAsync(
            $"/viewer/v1/sessions/{session}?kind=tcp&port=22&join={Uri.EscapeDataString(joined.GetString("join_token"))}", origin: null);
        Assert.Equal(101, status);
        using var bobViewer = new TestViewer(socket!);

        // The person at the machine is asked about bob before bob's stream opens.
        var next = await agent.ReadJsonAsync();
        Assert.Equal(("consent", name), ((string?)next["type"], (string?)next["technician"]));
    }
}
