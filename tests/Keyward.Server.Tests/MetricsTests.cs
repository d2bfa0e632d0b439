using System.Net;

namespace Keyward.Server.Tests;

/// <summary>
/// <c>/metrics</c> (Prometheus text) on its own listener: this host's meters only, nothing else served there, and
/// never on Keyward's own listener.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_OnTheirOwnListener_ShowTheKeywardMeterAndAspNetCores()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!);
        await client.LoginAsync("admin");
        using var http = new HttpClient { BaseAddress = host.MetricsAddress };

        using var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("keyward_signins", text, StringComparison.Ordinal);
        Assert.Contains("outcome=\"succeeded\"", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);

        // No account name, address or token in a label.
        Assert.DoesNotContain("admin", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kws_", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OfAnotherHostInTheSameProcess_AreNotShown()
    {
        await using var signedIn = await StartAsync();
        await using var idle = await StartAsync();
        using var client = signedIn.CreateClient();
        await client.RegisterAdminAsync(signedIn.SetupCode!);
        await client.LoginAsync("admin");
        using var http = new HttpClient { BaseAddress = idle.MetricsAddress };

        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // The idle host signed nobody in: the other host's sign-in must not appear in its metrics.
        Assert.DoesNotContain("outcome=\"succeeded\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsListener_ServesNothingElse_AndKeywardsListenerServesNoMetrics()
    {
        await using var host = await StartAsync();
        using var http = new HttpClient { BaseAddress = host.MetricsAddress };
        using var client = host.CreateClient();

        using var other = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var post = await http.PostAsync(new Uri("/metrics", UriKind.Relative), null);
        var onKeyward = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("\"code\":\"not_found\"", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(404, onKeyward.StatusCode);
    }

    [Fact]
    public async Task MetricsListener_ForAHostNameOtherThanLocalhost_Answers421()
    {
        await using var host = await StartAsync();
        using var http = new HttpClient { BaseAddress = host.MetricsAddress };
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = "rebind.attacker.example" } };
        using var local = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = $"localhost:{host.MetricsAddress!.Port}" } };

        using var refused = await http.SendAsync(rebound);
        using var served = await http.SendAsync(local);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, refused.StatusCode);
        Assert.DoesNotContain("keyward_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
    }

    private static Task<KeywardTestHost> StartAsync() => KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel });
}
