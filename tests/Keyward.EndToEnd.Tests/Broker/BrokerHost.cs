namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Keyward itself on a real Kestrel (a <see cref="KeywardTestHost"/>) at http://127.0.0.1:port (Development,
/// DangerousAllowHttp: Chromium treats http://localhost and *.localhost as secure contexts, and resolves *.localhost to
/// loopback itself), with a fresh data directory and two routes to one <see cref="CounterUpstream"/>: the path route
/// <c>/resource/**</c> on Keyward's origin (Bearer only, for API clients) and the browser route on
/// <see cref="AppHost"/>, reached through the one-time handoff.
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

    /// <summary>The counter's browser route's host.</summary>
    public const string AppHost = "counter.localhost";

    /// <summary>http://counter.localhost:port, the counter app's origin.</summary>
    public string AppOrigin => $"{new Uri(Origin).Scheme}://{AppHost}:{new Uri(Origin).Port}";

    /// <summary>Keyward's services (for reading its database in a test).</summary>
    public IServiceProvider Services => _host.Services;

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
                ["Keyward:Routes:counter-app:Host"] = AppHost,
                ["Keyward:Routes:counter-app:Upstream"] = upstream.Address,
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
