namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// A Keyward with small gate-wide limits (64 KiB queues, 4 sockets per session, 6 in total) and, besides the
/// <see cref="TestRoutes"/>, a route <c>dead</c> whose upstream refuses every connection.
/// </summary>
public sealed class LimitsFixture : IAsyncLifetime
{
    public const int QueueBudget = 64 * 1024;
    public const int PerSession = 4;
    public const int Total = 6;
    public const string DeadRoute = "dead";

    internal EchoUpstream Upstream { get; private set; } = null!;

    internal KeywardServer Server { get; private set; } = null!;

    internal KeywardTestClient Api => Server.Admin!;

    public async Task InitializeAsync()
    {
        Upstream = await EchoUpstream.StartAsync();
        Server = await KeywardServer.StartAsync(Upstream, extra:
        [
            $"--Keyward:WebSockets:MaxQueuedBytes={QueueBudget}",
            $"--Keyward:WebSockets:MaxSocketsPerSession={PerSession}",
            $"--Keyward:WebSockets:MaxSockets={Total}",
            $"--Keyward:Routes:{DeadRoute}:Path=/ws/{DeadRoute}/{{**rest}}",
            $"--Keyward:Routes:{DeadRoute}:Upstream=http://127.0.0.1:1",
            $"--Keyward:Routes:{DeadRoute}:WebSocket:Enabled=true",
        ]);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
