using System.Text;
using Keyward.Server.Agents;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// The API the support slice calls on a live agent (<see cref="AgentLink"/>): consent (accepted, denied, timed out on
/// the fake clock, gone), streams (opened, refused, data both ways, closed by either side), ending a session from
/// either side, and the byte budget from the agent toward a reader that does not read.
/// </summary>
public sealed class AgentLinkApiTests(AgentHost host) : IClassFixture<AgentHost>
{
    private async Task<(AgentLink Link, TestAgent Agent)> ConnectAsync()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var agent = await host.ConnectAsync(key);
        return (host.Host.GetRequiredService<AgentDirectory>().Find(machine)!, agent);
    }

    [Theory]
    [InlineData(true, "Accepted")]
    [InlineData(false, "Denied")]
    public async Task AskConsent_ThePersonsAnswer_IsReturned(bool accepted, string expected)
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();

        var asking = link.AskConsentAsync(new ConsentRequest(session, "alice", "printer queue"), CancellationToken.None);
        var asked = await agent.ReadJsonAsync();
        Assert.Equal(("consent", session.ToString(), "alice", "printer queue", 60), ((string?)asked["type"], (string?)asked["session"], (string?)asked["technician"], (string?)asked["reason"], (int?)asked["timeout_seconds"]));
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)asked["request"], accepted });

        Assert.Equal(Enum.Parse<ConsentAnswer>(expected), await asking.WaitAsync(TestAgent.Patience));
    }

    [Fact]
    public async Task AskConsent_AnAnswerToAnotherRequest_DoesNotAnswerThisOne()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;

        var asking = link.AskConsentAsync(new ConsentRequest(Guid.NewGuid(), "alice", "x"), CancellationToken.None);
        var asked = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "consent_result", request = Guid.NewGuid().ToString(), accepted = true });
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)asked["request"], accepted = false });

        Assert.Equal(ConsentAnswer.Denied, await asking.WaitAsync(TestAgent.Patience));
    }

    [Fact]
    public async Task AskConsent_NoAnswer_TimesOutOnTheClock()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;

        var asking = link.AskConsentAsync(new ConsentRequest(Guid.NewGuid(), "alice", "x", TimeSpan.FromSeconds(5)), CancellationToken.None);
        await agent.ReadJsonAsync();

        // The wait starts once the request is sent; step the clock until it has seen the timeout (bounded).
        for (var i = 0; i < 50 && !asking.IsCompleted; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(asking, Task.Delay(50));
        }

        Assert.Equal(ConsentAnswer.TimedOut, await asking.WaitAsync(TestAgent.Patience));
    }

    [Fact]
    public async Task AskConsent_AgentLeaves_IsGone()
    {
        var (link, agent) = await ConnectAsync();

        var asking = link.AskConsentAsync(new ConsentRequest(Guid.NewGuid(), "alice", "x"), CancellationToken.None);
        await agent.ReadJsonAsync();
        agent.Socket.Abort();
        agent.Dispose();

        Assert.Equal(ConsentAnswer.Gone, await asking.WaitAsync(TestAgent.Patience));
    }

    [Fact]
    public async Task AgentEndsTheSession_WhileAsking_IsDenied_AndTheEventIsRaised()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();
        var ended = new TaskCompletionSource<Guid>();
        link.SessionEndedByAgent += id => ended.TrySetResult(id);

        var asking = link.AskConsentAsync(new ConsentRequest(session, "alice", "x"), CancellationToken.None);
        await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "end", session = session.ToString() });

        Assert.Equal(ConsentAnswer.Denied, await asking.WaitAsync(TestAgent.Patience));
        Assert.Equal(session, await ended.Task.WaitAsync(TestAgent.Patience));
    }

    [Fact]
    public async Task AgentEndsTheSessionTwice_RaisesTheEventOnce()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();
        var raised = 0;
        link.SessionEndedByAgent += id => Interlocked.Increment(ref raised);
        var asking = link.AskConsentAsync(new ConsentRequest(session, "alice", "x"), CancellationToken.None);
        await agent.ReadJsonAsync();

        await agent.SendJsonAsync(new { type = "end", session = session.ToString() });
        await agent.SendJsonAsync(new { type = "end", session = session.ToString() });

        // Frames are read in order: once this later answer arrives, both ends have been handled.
        var later = link.AskConsentAsync(new ConsentRequest(Guid.NewGuid(), "alice", "x"), CancellationToken.None);
        var question = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)question["request"], accepted = true });
        Assert.Equal(ConsentAnswer.Accepted, await later.WaitAsync(TestAgent.Patience));
        Assert.Equal(ConsentAnswer.Denied, await asking.WaitAsync(TestAgent.Patience));
        Assert.Equal(1, Volatile.Read(ref raised));
    }

    [Fact]
    public async Task AgentEndsASessionNeverNamedToIt_Closes1008_AndRaisesNothing()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var raised = 0;
        link.SessionEndedByAgent += id => Interlocked.Increment(ref raised);

        await agent.SendJsonAsync(new { type = "end", session = Guid.NewGuid().ToString() });

        Assert.Equal(1008, (await agent.ReadCloseAsync()).Status);
        Assert.Equal(0, Volatile.Read(ref raised));
    }

    [Fact]
    public async Task OpenStream_RoundTrip_DataBothWays_ThenTheAgentCloses()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();

        var opening = link.OpenStreamAsync(session, new StreamTarget.Tcp(22), CancellationToken.None);
        var open = await agent.ReadJsonAsync();
        Assert.Equal(("open", "tcp", 22, session.ToString()), ((string?)open["type"], (string?)open["kind"], (int?)open["port"], (string?)open["session"]));
        var id = (uint)open["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream = id });
        var outcome = await opening.WaitAsync(TestAgent.Patience);
        Assert.False(outcome.Refused);
        var stream = outcome.Value;

        Assert.True(await stream.WriteAsync(Encoding.UTF8.GetBytes("SSH-2.0-viewer"), CancellationToken.None));
        var (to, payload) = await agent.ReadBinaryAsync();
        Assert.Equal((id, "SSH-2.0-viewer"), (to, Encoding.UTF8.GetString(payload)));

        await agent.SendBinaryAsync(id, Encoding.UTF8.GetBytes("SSH-2.0-machine"));
        string? read = null;
        Assert.True(await stream.ReadAsync((data, _) =>
        {
            read = Encoding.UTF8.GetString(data.Span);
            return ValueTask.CompletedTask;
        }, CancellationToken.None).AsTask().WaitAsync(TestAgent.Patience));
        Assert.Equal("SSH-2.0-machine", read);

        await agent.SendJsonAsync(new { type = "close", stream = id });
        Assert.Equal("closed by the agent", await stream.Completion.WaitAsync(TestAgent.Patience));
        Assert.False(await stream.WriteAsync(new byte[1], CancellationToken.None));
    }

    [Fact]
    public async Task OpenStream_Terminal_SendsItsSize()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;

        var opening = link.OpenStreamAsync(Guid.NewGuid(), new StreamTarget.Terminal(120, 40), CancellationToken.None);
        var open = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });

        Assert.Equal(("terminal", 120, 40), ((string?)open["kind"], (int?)open["cols"], (int?)open["rows"]));
        Assert.False((await opening.WaitAsync(TestAgent.Patience)).Refused);
    }

    [Theory]
    [InlineData("port_not_allowed", "agent_port_not_allowed")]
    [InlineData("connect_failed", "agent_stream_failed")]
    [InlineData("unsupported", "agent_stream_failed")]
    public async Task OpenStream_AgentRefuses_IsARefusalWithAStableCode(string agentCode, string expected)
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;

        var opening = link.OpenStreamAsync(Guid.NewGuid(), new StreamTarget.Tcp(25), CancellationToken.None);
        var open = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "open_failed", stream = (uint)open["stream"]!, code = agentCode });

        var outcome = await opening.WaitAsync(TestAgent.Patience);
        Assert.Equal(expected, outcome.Refusal?.Error.Code);
        Assert.Equal(0, link.StreamCount);
    }

    [Fact]
    public async Task EndSession_TellsTheAgent_AndEndsTheSessionsStreamsOnly()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();
        var ending = await OpenAsync(link, agent, session);
        var staying = await OpenAsync(link, agent, Guid.NewGuid());

        link.EndSession(session, "technician left");

        var end = await agent.ReadJsonAsync();
        Assert.Equal(("end", session.ToString(), "technician left"), ((string?)end["type"], (string?)end["session"], (string?)end["reason"]));
        Assert.True(ending.Completion.IsCompleted);
        Assert.False(staying.Completion.IsCompleted);
    }

    [Fact]
    public async Task EndSession_CalledAgainForTheSameSession_SendsEndOnce()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var session = Guid.NewGuid();
        var other = Guid.NewGuid();

        // The relay's closer and the sweeper both end a session the relay ended.
        link.EndSession(session, "consent_denied");
        link.EndSession(session, "support session ended");
        link.EndSession(other, "support session ended");

        // Frames arrive in order: the one after the first end is the other session's, not a second end of the first.
        var frames = new[] { await agent.ReadJsonAsync(), await agent.ReadJsonAsync() };
        Assert.Equal(
            [("end", session.ToString()), ("end", other.ToString())],
            frames.Select(f => ((string?)f["type"], (string?)f["session"])).ToArray());
        Assert.Equal("consent_denied", (string?)frames[0]["reason"]);
    }

    [Fact]
    public void EndedSessions_PastItsCapacity_ForgetsTheOldestOnly()
    {
        var ended = new EndedSessions();
        var first = Guid.NewGuid();
        Assert.True(ended.TryAdd(first));
        Assert.False(ended.TryAdd(first));
        var ids = Enumerable.Range(0, EndedSessions.Capacity).Select(_ => Guid.NewGuid()).ToList();
        Assert.All(ids, id => Assert.True(ended.TryAdd(id)));

        Assert.Equal(EndedSessions.Capacity, ended.Count);
        Assert.False(ended.TryAdd(ids[^1]));
        Assert.True(ended.TryAdd(first));
    }

    [Fact]
    public async Task ViewerCloses_TheAgentIsTold()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var stream = await OpenAsync(link, agent, Guid.NewGuid());

        await stream.CloseAsync("viewer left");

        var close = await agent.ReadJsonAsync();
        Assert.Equal(("close", stream.Id, "viewer left"), ((string?)close["type"], (uint?)close["stream"], (string?)close["reason"]));
    }

    [Fact]
    public async Task AgentLeaves_OpenStreamsEnd_AndNewRequestsFindItOffline()
    {
        var (link, agent) = await ConnectAsync();
        var stream = await OpenAsync(link, agent, Guid.NewGuid());

        agent.Socket.Abort();
        agent.Dispose();

        await stream.Completion.WaitAsync(TestAgent.Patience);
        await link.Ended.WaitAsync(TestAgent.Patience);
        Assert.Equal("agent_offline", (await link.OpenStreamAsync(Guid.NewGuid(), new StreamTarget.Tcp(22), CancellationToken.None)).Refusal?.Error.Code);
    }

    [Fact]
    public async Task ByteBudget_AReaderThatNeverReads_HoldsTheQueueAtItsBound_AndNothingIsLost()
    {
        var (link, agent) = await ConnectAsync();
        using var _ = agent;
        var stream = await OpenAsync(link, agent, Guid.NewGuid());
        const int Payload = 16384 - 4;
        const int Frames = 200;

        // The agent sends 3 MiB; nobody reads the stream. Its sends stall once the queue is full and TCP is.
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < Frames; i++)
            {
                await agent.SendBinaryAsync(stream.Id, Enumerable.Repeat((byte)i, Payload).ToArray());
            }
        });
        var deadline = DateTime.UtcNow + TestAgent.Patience;
        while (stream.QueuedBytes < stream.Budget - Payload && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(stream.QueuedBytes >= stream.Budget - Payload, $"the queue never filled: {stream.QueuedBytes} of {stream.Budget}");
        Assert.False(sending.IsCompleted && stream.QueuedBytes > stream.Budget);

        // Now read everything: all of it arrives, in order, and the queue never held more than its budget.
        var received = 0L;
        var expected = 0;
        while (received < (long)Payload * Frames)
        {
            Assert.True(await stream.ReadAsync((data, _) =>
            {
                Assert.All(data.ToArray(), b => Assert.Equal((byte)(expected / Payload), b));
                expected += data.Length;
                received += data.Length;
                return ValueTask.CompletedTask;
            }, CancellationToken.None).AsTask().WaitAsync(TestAgent.Patience));
        }

        await sending.WaitAsync(TestAgent.Patience);
        Assert.InRange(stream.PeakQueuedBytes, 1, stream.Budget);
        Assert.Equal((long)Payload * Frames, stream.BytesFromAgent);
    }

    private static async Task<AgentStream> OpenAsync(AgentLink link, TestAgent agent, Guid session)
    {
        var opening = link.OpenStreamAsync(session, new StreamTarget.Tcp(22), CancellationToken.None);
        var open = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "opened", stream = (uint)open["stream"]! });
        return (await opening.WaitAsync(TestAgent.Patience)).Value;
    }
}
