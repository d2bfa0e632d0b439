using System.Text.Json.Nodes;
using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Relay;

/// <summary>A host with a small viewer input rate (1 KiB/s), for the relay's limits.</summary>
public sealed class SlowInputHost : RelayHost
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Keyward:Support:ViewerInputBytesPerSecond"] = "1024",
    };
}

/// <summary>The relay's limits: the viewer's input rate (fake clock), sessions per machine, and logout during a relay.</summary>
public sealed class RelayLimitsTests(SlowInputHost host) : IClassFixture<SlowInputHost>
{
    private async Task<(TestAgent Agent, TestViewer Viewer, uint Stream, Guid Machine, Keyward.Testing.Hosting.TestSession Admin)> ActiveAsync()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await agent.ReadJsonAsync();
        var stream = (uint)open["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream });
        Assert.Equal("active", await viewer.ReadStatusAsync());
        return (agent, viewer, stream, machine, admin);
    }

    [Fact]
    public async Task ViewerInput_BeyondTheRate_WaitsForTheClock()
    {
        var (agent, viewer, _, machine, _) = await ActiveAsync();
        using var a = agent;
        using var v = viewer;
        var stream = Assert.Single(host.Host.GetRequiredService<AgentDirectory>().Find(machine)!.Streams);

        await viewer.SendAsync(new byte[1024]);
        Assert.Equal(1024, (await agent.ReadBinaryAsync()).Payload.Length);
        await viewer.SendAsync(new byte[2048]);

        // The bucket is empty: the 2 KiB wait for two seconds of the (fake) clock, and no real time lets them through.
        await Task.Delay(300);
        Assert.Equal(1024, stream.BytesToAgent);
        var reading = agent.ReadBinaryAsync();
        for (var i = 0; i < 40 && !reading.IsCompleted; i++)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(reading, Task.Delay(50));
        }

        Assert.Equal(2048, (await reading).Payload.Length);
        Assert.Equal(3072, stream.BytesToAgent);
    }

    [Fact]
    public async Task Logout_ClosesAnActiveViewerWith4401_AndItsStreamOnTheAgent()
    {
        var (agent, viewer, stream, _, admin) = await ActiveAsync();
        using var a = agent;
        using var v = viewer;

        await host.Client.LogoutAsync(admin.Token);

        Assert.Equal((4401, "session_ended", 0), await viewer.ReadCloseAsync());
        var close = await agent.ReadJsonAsync();
        Assert.Equal(("close", stream), ((string?)close["type"], (uint)close["stream"]!));
    }

    [Fact]
    public async Task SessionsPerMachine_AreCapped()
    {
        var (machine, _) = await host.EnrollMachineAsync();
        var admin = await host.AdminAsync();
        for (var i = 0; i < 4; i++)
        {
            await host.OpenSessionAsync(admin, machine);
        }

        var fifth = await host.Client.SendAsync(HttpMethod.Post, "/api/support/sessions", new JsonObject { ["reason"] = "one more", ["machine_id"] = machine.ToString() }, admin.Token);
        ProblemAssert.Problem(fifth, 429, "support_session_limit");
    }

    /// <summary>
    /// Review 11b, finding 4. Text frames (resize) are forwarded to the agent, which applies each to the PTY (an ioctl
    /// and a SIGWINCH to the shell): they are charged to the viewer's input limit like binary frames.
    /// </summary>
    [Fact]
    public async Task ResizeFrames_AreChargedToTheViewersInputLimit()
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
