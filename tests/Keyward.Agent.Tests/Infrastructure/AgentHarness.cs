using System.Text.Json;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Agent.Tests.Infrastructure;

/// <summary>A fake Keyward with its CA, an agent enrolled against it, and the agent's runtime running in the background.</summary>
public sealed class AgentHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private AgentHarness(TestCa ca, FakeKeyward keyward, TempDirectory temp, AgentState state)
    {
        Ca = ca;
        Keyward = keyward;
        Temp = temp;
        State = state;
    }

    public TestCa Ca { get; }

    public FakeKeyward Keyward { get; }

    public TempDirectory Temp { get; }

    public AgentState State { get; }

    public CapturingLogger Log { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    public Task<AgentStopReason>? Running { get; private set; }

    public static async Task<AgentHarness> StartAsync()
    {
        var ca = TestCa.Create();
        var keyward = await FakeKeyward.StartAsync(ca);
        var temp = new TempDirectory("keyward-agent-");
        var result = await AgentEnrollment.EnrollAsync(keyward.Address, ca.WriteCaPem(temp.Path), "kwe_ENROLLtoken", temp.Combine("state"));
        Assert.True(result.Succeeded, result.Detail);
        return new AgentHarness(ca, keyward, temp, result.State!);
    }

    public AgentRuntimeOptions Options(Func<AgentRuntimeOptions, AgentRuntimeOptions>? configure = null)
    {
        var options = new AgentRuntimeOptions
        {
            StateDirectory = State.Directory,
            TimeProvider = Time,
            Logger = Log,
            Random = new Random(7),
        };
        return configure is null ? options : configure(options);
    }

    /// <summary>Starts the runtime and waits for its first socket, to which the fake says hello.</summary>
    public async Task<AgentSocket> RunAndConnectAsync(Func<AgentRuntimeOptions, AgentRuntimeOptions>? configure = null, int heartbeatSeconds = 30)
    {
        Run(configure);
        var socket = await NextConnectionAsync();
        await socket.HelloAsync(heartbeatSeconds);
        return socket;
    }

    public void Run(Func<AgentRuntimeOptions, AgentRuntimeOptions>? configure = null)
    {
        var runtime = new AgentRuntime(Options(configure));
        Running = Task.Run(() => runtime.RunAsync(_stop.Token));
    }

    public async Task<AgentSocket> NextConnectionAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Keyward.Connections.Reader.ReadAsync(deadline.Token);
    }

    /// <summary>Receives the next message of <paramref name="type"/> (heartbeats skipped), advancing the fake clock while none comes.</summary>
    public async Task<JsonElement> ExpectAdvancingAsync(AgentSocket socket, string type, TimeSpan step)
    {
        for (var rounds = 0; rounds < 200; rounds++)
        {
            var receive = socket.ReceiveAsync();
            while (!receive.IsCompleted)
            {
                Time.Advance(step);
                await Task.WhenAny(receive, Task.Delay(20));
            }

            var message = await receive ?? throw new InvalidOperationException($"The agent closed while {type} was expected.");
            if (message.Type == type)
            {
                return message.Json!.Value;
            }
        }

        throw new InvalidOperationException($"No {type} came.");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Keyward.AbortAll();
        if (Running is not null)
        {
            try
            {
                await Running.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Keyward.DisposeAsync();
        Ca.Dispose();
        Temp.Dispose();
        _stop.Dispose();
    }
}
