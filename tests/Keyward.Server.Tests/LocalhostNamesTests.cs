using System.Net;

namespace Keyward.Server.Tests;

/// <summary>
/// The whole model on one machine: Keyward on Kestrel with its local CA, reached by names under <c>.localhost</c>
/// (which only browsers resolve; the client maps them to loopback) or by names given to <c>--resolve</c>.
/// </summary>
public sealed class LocalhostNamesTests
{
    [Fact]
    public async Task Client_RouteHostUnderLocalhostAndATlsName_ReachKeywardWithItsCaOnly()
    {
        // counter.localhost is named in the certificate because it is a browser route's host (no Tls:HostNames needed);
        // keyward.test only because Tls:HostNames lists it.
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:Routes:counter:Host"] = "counter.localhost",
                ["Keyward:Routes:counter:Upstream"] = "http://127.0.0.1:9",
                ["Keyward:Tls:HostNames:0"] = "keyward.test",
            },
        });

        using var named = CaTrust.CreateHttpClient(new Uri($"https://counter.localhost:{host.Port}"), host.CaFile);
        using var resolved = CaTrust.CreateHttpClient(
            new Uri($"https://keyward.test:{host.Port}"), host.CaFile, new HostResolution([new("keyward.test", IPAddress.Loopback)]));
        using var unnamed = CaTrust.CreateHttpClient(new Uri($"https://other.localhost:{host.Port}"), host.CaFile);

        // Past TLS, each is answered by Keyward: the app host's own callback path, and the host allow-list (keyward.test
        // is a certificate name but no host Keyward serves).
        using var callback = await named.GetAsync(new Uri("/.keyward/callback", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        using var misdirected = await resolved.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, misdirected.StatusCode);

        // other.localhost reaches the same socket, but the certificate does not name it: TLS refuses, as a browser would.
        await Assert.ThrowsAsync<HttpRequestException>(() => unnamed.GetAsync(new Uri("/healthz", UriKind.Relative)));
    }
}
