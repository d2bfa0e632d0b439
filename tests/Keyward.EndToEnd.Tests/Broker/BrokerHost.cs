namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Keyward itself on a real Kestrel (a <see cref="KeywardTestHost"/>) at http://127.0.0.1:port (Development,
/// DangerousAllowHttp: Chromium treats http://localhost as a secure context), with a fresh data directory and one
/// route, <c>/resource/**</c>, to a <see cref="CounterUpstream"/>.
/// </summary>
internal sealed class BrokerHost : IAsyncDisposable
{
    private readonly KeywardTestHost _host;

    private BrokerHost(KeywardTestHost host, string setupCode)
    {
        _host = host;
        SetupCode = setupCode;
    }

    /// <summary>http://localhost:port, Keyward's public origin and WebAuthn origin.</summary>
    public string Origin => _host.Origin;

    /// <summary>The first-start setup code.</summary>
    public string SetupCode { get; }

    public static async Task<BrokerHost> StartAsync(CounterUpstream upstream)
    {
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Https = false,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:Routes:counter:Path"] = "/resource/{**rest}",
                ["Keyward:Routes:counter:Upstream"] = upstream.Address,
            },
        });
        if (host.SetupCode is not { } code)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException("A fresh data directory should have produced a setup code.");
        }

        return new BrokerHost(host, code);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
