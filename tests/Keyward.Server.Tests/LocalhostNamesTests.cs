using System.Net;
using System.Net.Http.Json;

namespace Keyward.Server.Tests;

/// <summary>
/// The whole model on one machine: Keyward on Kestrel with its local CA, reached by names under <c>.localhost</c>
/// (which only browsers resolve; the client maps them to loopback) or by names given to <c>--resolve</c>.
/// </summary>
public sealed class LocalhostNamesTests
{
    [Fact]
    public async Task Client_AnythingDotLocalhostInTheCertificate_ReachesKeywardWithItsCaOnly()
    {
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            Settings = new Dictionary<string, string> { ["Keyward:Tls:HostNames:0"] = "anything.localhost", ["Keyward:Tls:HostNames:1"] = "keyward.test" },
        });

        using var named = CaTrust.CreateHttpClient(new Uri($"https://anything.localhost:{host.Port}"), host.CaFile);
        using var resolved = CaTrust.CreateHttpClient(
            new Uri($"https://keyward.test:{host.Port}"), host.CaFile, new HostResolution([new("keyward.test", IPAddress.Loopback)]));
        using var unnamed = CaTrust.CreateHttpClient(new Uri($"https://other.localhost:{host.Port}"), host.CaFile);

        Assert.Equal("ok", (await named.GetFromJsonAsync<Dictionary<string, string>>("/healthz"))?["status"]);
        Assert.Equal("ok", (await resolved.GetFromJsonAsync<Dictionary<string, string>>("/healthz"))?["status"]);

        // other.localhost reaches the same socket, but the certificate does not name it: TLS refuses, as a browser would.
        await Assert.ThrowsAsync<HttpRequestException>(() => unnamed.GetAsync("/healthz"));
    }
}
