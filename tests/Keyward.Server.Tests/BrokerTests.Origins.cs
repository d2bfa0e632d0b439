using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>Origins apart: Keyward's own host, path routes that take only Bearer, browser routes on their own hosts, unknown hosts refused.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task PathRoute_CookieOnly_Returns401AndBearer_Returns200()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var viaCookie = await client.ProxyAsync("/echo/x", null, r => r.Headers.Add("Cookie", $"__Host-keyward-session={admin.Token}"));
        ProblemAssert.Problem(viaCookie, 401, "bearer_required");
        Assert.Equal(0, Echo.RequestCount);

        var viaBearer = UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token));
        Assert.Equal("/echo/x", viaBearer.Path);
        Assert.Equal(1, Echo.RequestCount);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("app.localhost.evil.example")]
    [InlineData("127.0.0.2")]
    public async Task UnknownHost_Returns421NotProxiedNotAudited(string host)
    {
        var (broker, client, admin) = await StartWithAdminAsync();
        var before = (await AllEventsAsync(broker)).Count;

        ProblemAssert.Problem(await client.ProxyAsync($"https://{host}/echo/x", admin.Token), 421, "host_unknown");
        ProblemAssert.Problem(await client.ProxyAsync($"https://{host}/", null), 421, "host_unknown");
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Post, $"https://{host}/session/status", new System.Text.Json.Nodes.JsonObject(), admin.Token), 421, "host_unknown");

        Assert.Equal(0, Echo.RequestCount);
        Assert.Equal(before, (await AllEventsAsync(broker)).Count);
    }

    [Fact]
    public async Task KeywardHost_AnyPortIsKeywards()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        var status = await client.SendAsync(HttpMethod.Post, "https://LOCALHOST:8443/session/status", new System.Text.Json.Nodes.JsonObject(), admin.Token);
        ProblemAssert.Ok(status);
    }

    [Fact]
    public async Task AppHost_KeywardEndpointsAreNotAnswered()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        // other.localhost routes only /app/...: Keyward's own endpoints and path routes are simply not there.
        foreach (var path in new[] { "/session/status", "/api/keys", "/healthz", "/.well-known/keyward/jwks.json", "/", "/index.html", "/app.js", "/echo/x", "/.keyward/handoff" })
        {
            var answer = await client.GetAsync($"https://{OtherHost}{path}", admin.Token);
            Assert.True(answer.StatusCode == 404, $"{path} on an app host answered {answer.StatusCode}: {answer.Body}");
        }

        Assert.Equal(0, Echo.RequestCount);

        // app.localhost routes every path: there even /api/... is the upstream's, never Keyward's API; /.keyward/* is Keyward's.
        var api = UpstreamView.Parse(await client.SendAsync(HttpMethod.Post, $"https://{AppHost}/api/register/begin", new System.Text.Json.Nodes.JsonObject(), admin.Token));
        Assert.Equal("/api/register/begin", api.Path);
        Assert.Equal(404, (await client.GetAsync($"https://{AppHost}/.keyward/other", admin.Token)).StatusCode);
        Assert.Equal(1, Echo.RequestCount);

        // And a browser route is not served on Keyward's host.
        Assert.Equal(404, (await client.GetAsync("/app/x", admin.Token)).StatusCode);
        Assert.Equal(1, Echo.RequestCount);
    }
}
