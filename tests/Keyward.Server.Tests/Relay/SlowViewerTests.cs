using Keyward.Server.Agents;
using Keyward.Server.Tests.Agents;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// Runs alone: the process's managed memory is the measure, and tests running beside it would allocate into it.
/// </summary>
[CollectionDefinition(nameof(MeasuresProcessMemory), DisableParallelization = true)]
public sealed class MeasuresProcessMemory;

/// <summary>A viewer that never reads while its agent sends 20 MiB: Keyward's queue stays at its budget and memory does not grow with what was sent.</summary>
[Collection(nameof(MeasuresProcessMemory))]
public sealed class SlowViewerTests(RelayHost host) : IClassFixture<RelayHost>
{
    [Fact]
    public async Task ASlowViewer_HoldsTheQueueAtItsBudget_AndMemoryDoesNotGrow()
    {
        var (machine, key) = await host.EnrollMachineAsync();
        using var agent = await host.ConnectAsync(key);
        var admin = await host.AdminAsync();
        var (session, _) = await host.OpenSessionAsync(admin, machine);
        using var viewer = await host.OpenViewerAsync(admin, session);
        Assert.Equal("waiting_consent", await viewer.ReadStatusAsync());
        var consent = await agent.ReadJsonAsync();
        await agent.SendJsonAsync(new { type = "consent_result", request = (string?)consent["request"], accepted = true });
        var open = await agent.ReadJsonAsync();
        var id = (uint)open["stream"]!;
        await agent.SendJsonAsync(new { type = "opened", stream = id });
        Assert.Equal("active", await viewer.ReadStatusAsync());
        var stream = Assert.Single(host.Host.GetRequiredService<AgentDirectory>().Find(machine)!.Streams);

        // From here the viewer reads nothing.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        const int Total = 20 * 1024 * 1024;
        const int Payload = 16 * 1024 - 4;
        var chunk = new byte[Payload];
        using var stop = new CancellationTokenSource();
        var sent = 0L;
        var sending = Task.Run(async () =>
        {
            while (sent < Total && !stop.IsCancellationRequested)
            {
                await agent.SendBinaryAsync(id, chunk);
                Interlocked.Add(ref sent, Payload);
            }
        });

        // Wait (bounded) until the queue toward the viewer is full: Keyward has stopped reading the agent.
        var deadline = DateTime.UtcNow + TestAgent.Patience;
        while (stream.QueuedBytes < stream.Budget - (2 * Payload) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        // Give the agent's sender every chance to push more (it cannot: the sockets' buffers are full too).
        for (var i = 0; i < 50 && !sending.IsCompleted; i++)
        {
            await Task.Delay(20);
        }

        Assert.False(sending.IsCompleted, "all 20 MiB were accepted by a Keyward whose viewer reads nothing");
        Assert.InRange(stream.PeakQueuedBytes, 1, stream.Budget);
        Assert.InRange(stream.QueuedBytes, 0, stream.Budget);
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown < 8 * 1024 * 1024, $"memory grew by {grown} bytes while {Interlocked.Read(ref sent)} were sent toward a viewer that reads nothing");
        Assert.True(Interlocked.Read(ref sent) < Total);

        agent.Socket.Abort();
        await stop.CancelAsync();
        await Task.WhenAny(sending, Task.Delay(TestAgent.Patience));
    }
}
