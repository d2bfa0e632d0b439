using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

public sealed class ConsentTests
{
    private const string Consent = """{"type":"consent","request":"r1","session":"s1","technician":"alice","reason":"printer","timeout_seconds":60}""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Consent_PersonAnswers_TheAnswerIsSent(bool answer)
    {
        await using var harness = await AgentHarness.StartAsync();
        Runtime.ConsentRequest? asked = null;
        var socket = await harness.RunAndConnectAsync(o => o with { Consent = (request, _) => { asked = request; return Task.FromResult(answer); } });

        await socket.SendJsonAsync(Consent);
        var result = await socket.ExpectAsync("consent_result");

        Assert.Equal("r1", result.GetProperty("request").GetString());
        Assert.Equal(answer, result.GetProperty("accepted").GetBoolean());
        Assert.Equal("alice", asked!.Technician);
        Assert.Equal("printer", asked.Reason);
        Assert.Equal(TimeSpan.FromSeconds(60), asked.Timeout);
    }

    [Fact]
    public async Task Consent_NoAnswerWithinTheTimeout_IsSentAsDeniedAndThePromptDismissed()
    {
        await using var harness = await AgentHarness.StartAsync();
        var dismissed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = await harness.RunAndConnectAsync(o => o with
        {
            Consent = async (_, token) =>
            {
                token.Register(() => dismissed.TrySetResult());
                await Task.Delay(Timeout.Infinite, token);
                return true;
            },
        });

        await socket.SendJsonAsync(Consent);
        var result = await harness.ExpectAdvancingAsync(socket, "consent_result", TimeSpan.FromSeconds(10));

        Assert.False(result.GetProperty("accepted").GetBoolean());
        await dismissed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(harness.Log.Lines, l => l.EventId == AgentEventIds.ConsentTimedOut);
    }

    [Fact]
    public async Task Consent_CallbackThrows_IsSentAsDenied()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync(o => o with { Consent = (_, _) => throw new InvalidOperationException("no terminal") });

        await socket.SendJsonAsync(Consent);
        var result = await socket.ExpectAsync("consent_result");

        Assert.False(result.GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task Consent_SessionEndsBeforeTheAnswer_PromptIsDismissedAndNothingIsSent()
    {
        await using var harness = await AgentHarness.StartAsync();
        var dismissed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = await harness.RunAndConnectAsync(o => o with
        {
            Consent = async (_, token) =>
            {
                token.Register(() => dismissed.TrySetResult());
                await Task.Delay(Timeout.Infinite, token);
                return true;
            },
        });

        await socket.SendJsonAsync(Consent);
        await socket.SendJsonAsync("""{"type":"end","session":"s1","reason":"technician left"}""");
        await dismissed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The next thing the agent says is the answer to a later question, not one to the dismissed prompt.
        await socket.SendJsonAsync("""{"type":"open","stream":3,"session":"s2","kind":"tcp","port":1}""");
        var next = await socket.ExpectAsync("open_failed");
        Assert.Equal(3u, next.GetProperty("stream").GetUInt32());
    }

    [Fact]
    public async Task Consent_DefaultOptions_DenyEveryRequest()
    {
        await using var harness = await AgentHarness.StartAsync();
        var socket = await harness.RunAndConnectAsync();

        await socket.SendJsonAsync(Consent);
        var result = await socket.ExpectAsync("consent_result");

        Assert.False(result.GetProperty("accepted").GetBoolean());
    }
}
