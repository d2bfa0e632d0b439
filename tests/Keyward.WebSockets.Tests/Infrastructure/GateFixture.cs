namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>One echo upstream and one Keyward in front of it, shared by the tests of a class.</summary>
public sealed class GateFixture : IAsyncLifetime
{
    internal EchoUpstream Upstream { get; private set; } = null!;

    internal KeywardServer Server { get; private set; } = null!;

    internal KeywardTestClient Api => Server.Admin!;

    public async Task InitializeAsync()
    {
        Upstream = await EchoUpstream.StartAsync();
        Server = await KeywardServer.StartAsync(Upstream);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
