using System.Net;
using System.Text;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task Errors_FrameworkRefusalsOnKeywardsOwnPaths_AreProblemJsonWithStableCodes()
    {
        // Without the default browser routes: their catch-all paths (any method) are routing candidates until the host is
        // checked, so with them routing answers a wrong method on Keyward's paths with 404 rather than 405.
        var host = await StartHostAsync(s =>
        {
            foreach (var key in s.Keys.Where(k => k.StartsWith("Keyward:Routes:app:", StringComparison.Ordinal) || k.StartsWith("Keyward:Routes:other:", StringComparison.Ordinal)).ToList())
            {
                s.Remove(key);
            }
        });
        var client = ClientOf(host);

        ProblemAssert.Problem(await client.GetAsync("/no/such/path"), 404, "not_found");
        ProblemAssert.Problem(await client.GetAsync("/session/logout"), 405, "method_not_allowed");
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Post, "/session/login/begin", configure: r => r.Content = new StringContent("{}", Encoding.UTF8, "text/plain")), 415, "unsupported_media_type");
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Post, "/session/login/begin", configure: r => r.Content = new StringContent("{\"username\":", Encoding.UTF8, "application/json")), 400, "request_invalid");
    }

    [Fact]
    public async Task Errors_UpstreamDown_Is502ProblemButAnUpstreamsOwnEmptyErrorPassesThrough()
    {
        var closed = FreePort.Next();
        var (_, client, admin) = await StartWithAdminAsync(s =>
        {
            s["Keyward:Routes:down:Path"] = "/down/{**rest}";
            s["Keyward:Routes:down:Upstream"] = $"http://127.0.0.1:{closed}";
        });

        ProblemAssert.Problem(await client.ProxyAsync("/down/x", admin.Token), 502, "upstream_unavailable");

        // The upstream's own answer is the upstream's: Keyward adds no body of its own.
        var upstream404 = await client.ProxyAsync("/echo/missing?status=404", admin.Token);
        Assert.Equal((404, string.Empty), (upstream404.StatusCode, upstream404.Body));
    }
}
