using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing.Hosting;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// Findings of the adversarial review of remote support (review11b), each a test that fails until the finding is
/// fixed. Named after the finding; the report gives the reasoning and a suggested fix.
/// </summary>
public sealed class Review11bTests(RelayHost host) : IClassFixture<RelayHost>
{
    private static int _names;

    private static async Task<JsonObject> ExpectAsync(TestAgent agent, string type)
    {
        var message = await agent.ReadJsonAsync();
        Assert.Equal(type, (string?)message["type"]);
        return message;
    }

    // A viewer of the admin on an attended machine session, consented and active; its stream id.
    private async Task<uint> ConsentedViewerAsync(TestAgent agent, TestViewer viewer)
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
    /// Finding 1. The person at the machine consented through one agent connection; that agent then went away while no
    /// viewer was connected (the person quit it, the machine rebooted, someone else sat down), which does not end the
    /// session. ConsentBook still holds "accepted" for the session, so the technician's next viewer is relayed through
    /// the NEW connection without anyone at the machine being asked. Consent must not outlive the connection that gave it.
    /// </summary>
    [Fact]
    public async Task Finding1_ConsentIsAskedAgain_WhenTheMachinesAgentReconnectedSinceItWasGiven()
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
    /// Finding 2. Consent is asked once per support session and names the FIRST viewer's account; every other account
    /// the machine allows (docs: joiners by role) may mint a join token for that session (SupportDesk.JoinAsync checks
    /// the machine's policy, not the session's technician) and is then relayed without the person at the machine being
    /// asked or told. The person agreed to "admin asks to connect", and bob gets the shell. Either bob may not join a
    /// session another technician opened, or the person at the machine is asked about bob.
    /// </summary>
    [Fact]
    public async Task Finding2_AnotherTechnician_IsNotRelayedOnConsentGivenToTheFirst()
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
        if (joined.StatusCode == 403)
        {
            // Fixed one way: only the session's own technician (or an admin) may join it.
            ProblemAssert.Problem(joined, 403, "join_not_allowed");
            return;
        }

        ProblemAssert.Ok(joined);
        var (socket, status) = await host.Client.TryOpenAsync(
            $"/viewer/v1/sessions/{session}?kind=tcp&port=22&join={Uri.EscapeDataString(joined.GetString("join_token"))}", origin: null);
        Assert.Equal(101, status);
        using var bobViewer = new TestViewer(socket!);

        // Fixed the other way: the person at the machine is asked about bob before bob's stream opens.
        var next = await agent.ReadJsonAsync();
        Assert.Equal(("consent", name), ((string?)next["type"], (string?)next["technician"]));
    }

    /// <summary>
    /// Finding 3. A support code is consumed by the agent plane's authentication handler, before the endpoint checks
    /// that the request is a WebSocket upgrade (400 agent_upgrade_required) or that the node has room (503
    /// agent_capacity). One plain GET with the code (a person "testing" it, a proxy's health probe, a client without
    /// the subprotocol) spends the single-use code, and the real agent is then refused (401, exit 3). The viewer plane
    /// keeps its token unspent in the same case.
    /// </summary>
    [Fact]
    public async Task Finding3_ASupportCodeIsNotSpentByARequestThatIsNotAnAgentUpgrade()
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
    /// Finding 6. Every <c>end</c> frame an agent sends starts an unawaited database lookup
    /// (<c>SupportSweeper.OnEndedAtMachine</c> → <c>SupportSessionService.FindAsync</c>), whatever session id it names,
    /// and the link's reader goes straight on to the next frame: nothing bounds how many run at once. An ad-hoc agent,
    /// run by a stranger holding a support code, can send tens of thousands a second (about 80 bytes each) and hold the
    /// database's connection pool and the thread pool for everyone. An ad-hoc link serves exactly one session, known
    /// without the database: an <c>end</c> naming another is a protocol violation (1008), like an unknown stream id.
    /// </summary>
    [Fact]
    public async Task Finding6_AnAdHocAgentsEndForASessionItDoesNotServe_IsAViolation_NotADatabaseLookup()
    {
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);
        using var agent = await host.ConnectAsync(code!);

        await agent.SendJsonAsync(new { type = "end", session = Guid.NewGuid().ToString() });

        Assert.Equal(1008, (await agent.ReadCloseAsync()).Status);
        Assert.True((await host.SessionAsync(session)).IsOpen);
    }

    /// <summary>
    /// Finding 8. The viewer plane has no limit before its atomic consume. A join token's shape check is a public
    /// CRC-32 (SecretToken.Checksum), so anyone forges well-formed <c>kwj_</c> values for free, and each forged upgrade
    /// costs Keyward a conditional UPDATE and a SELECT (JoinTokenService.RedeemAsync); on SQLite that UPDATE takes the
    /// database's one write lock even when it matches no row, so an anonymous flood queues behind it every sign-in, audit
    /// write and consume. The agent plane's enroll (10 a minute per address) and support codes (10 per address group,
    /// 60 failures globally) have limits in front of their consume; the viewer plane should too.
    /// </summary>
    [Fact]
    public async Task ViewerPlane_ForgedJoinTokensFromOneAddress_AreLimitedBeforeTheDatabase()
    {
        var session = Guid.NewGuid();
        var statuses = new List<int>();
        for (var i = 0; i < 200; i++)
        {
            var forged = Keyward.Core.Credentials.SecretToken.Generate(Keyward.Core.Credentials.CredentialKind.Join);
            statuses.Add((await host.Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}?kind=tcp&port=22&join={forged}", origin: null)).StatusCode);
        }

        Assert.All(statuses, s => Assert.True(s is 401 or 429, $"status {s}"));
        Assert.Contains(429, statuses);
    }

    /// <summary>
    /// Finding 7. The console's page and modules are static files, which match no endpoint, so
    /// SecurityHeadersMiddleware gives them no Cache-Control and StaticFiles sends only Last-Modified and ETag: a
    /// browser may then reuse them without asking (heuristic freshness, RFC 9111 §4.2.2, typically a tenth of their
    /// age). After an upgrade that fixes the console (its CSP shim, a rendering bug), browsers can keep running the
    /// old code for days. They should be revalidated on every load (no-cache; ETag keeps that cheap).
    /// </summary>
    [Theory]
    [InlineData("/console/")]
    [InlineData("/console/console.js")]
    [InlineData("/shared/keyward.js")]
    [InlineData("/console/panes/support/terminal.js")]
    public async Task StaticFiles_TheConsolesFiles_AreRevalidatedOnEveryLoad(string path)
    {
        var answer = await host.Client.SendAsync(HttpMethod.Get, path);
        ProblemAssert.Ok(answer);

        var cacheControl = answer.Headers.CacheControl;
        Assert.True(cacheControl is { NoCache: true } or { NoStore: true }, $"{path}: Cache-Control is '{cacheControl}'");
    }
}

/// <summary>
/// Finding 4. The viewer's input limit (Support:ViewerInputBytesPerSecond) charges binary frames only: text frames
/// (resize) are parsed and forwarded to the agent (which applies each to the PTY: an ioctl and a SIGWINCH to the
/// shell) without touching the bucket, so a viewer sends them at any rate.
/// </summary>
public sealed class Review11bInputTests(SlowInputHost host) : IClassFixture<SlowInputHost>
{
    [Fact]
    public async Task Finding4_ResizeFrames_AreChargedToTheViewersInputLimit()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        using var viewer = await host.OpenViewerAsync(admin, session, "kind=terminal&cols=80&rows=24");
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var stream = (uint)(await agent.ReadJsonAsync())["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream });
        Assert.Equal("active", await viewer.ReadStatusAsync());
        var link = host.Host.GetRequiredService<AgentDirectory>().Find(machine)!;

        // The bucket (1 KiB/s, one second of burst) is emptied by 1 KiB of input, and the fake clock does not move.
        await viewer.SendAsync(new byte[1024]);
        Assert.Equal(1024, (await agent.ReadBinaryAsync()).Payload.Length);
        var before = link.BytesToAgent;

        // 200 resizes (about 8 KiB of text, eight seconds of the limit) with no clock movement.
        for (var i = 0; i < 200; i++)
        {
            await viewer.SendTextAsync($$"""{"type":"resize","cols":{{80 + (i % 100)}},"rows":24}""");
        }

        await Task.Delay(500);

        // With the bucket empty and the clock frozen, nothing more of the viewer's input may reach the agent.
        Assert.True(link.BytesToAgent - before < 1024, $"{link.BytesToAgent - before} bytes of resize frames reached the agent with the input limit exhausted");
    }
}
