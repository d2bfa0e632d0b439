using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    // Each client request header, and whether the upstream may receive it (docs/architecture.md, the denylist).
    // Authorization carries the session here; Proxy_SessionInCookieAndBasicAuthorization_NeitherReachesUpstream covers it.
    private static readonly (string Name, bool Reaches)[] ClientHeaders =
    [
        ("Proxy-Authorization", false),
        ("Keyward_Assertion", false),
        ("Keyward-Account", false),
        ("X-Keyward-Account", false),
        ("x-keyward-role", false),
        ("KEYWARD-ASSERTION-X", false),
        ("X_Forwarded_User", false),
        ("Remote_User", false),
        ("Remote-User", false),
        ("X-Remote-User", false),
        ("Http-Remote-User", false),
        ("X-Forwarded-User", false),
        ("X-Forwarded-Email", false),
        ("X-Forwarded-Server", false),
        ("X-Forwarded-Port", false),
        ("X-Forwarded-Prefix", false),
        ("Forwarded", false),
        ("X-Auth-Request-User", false),
        ("X-User", false),
        ("X-Email", false),
        ("X-Webauth-User", false),
        ("X-Authenticated-User", false),
        ("X-Real-IP", false),
        ("X-Client-IP", false),
        ("True-Client-IP", false),
        ("X-Original-URL", false),
        ("X-Original-Host", false),
        ("X-Rewrite-URL", false),
        ("X-Ms-Client-Principal", false),
        ("X-Ms-Client-Principal-Name", false),
        ("X-Amzn-Oidc-Data", false),
        ("X-Pomerium-Jwt-Assertion", false),
        ("Cf-Access-Jwt-Assertion", false),
        ("Remote-Groups", false),
        ("Remote-Email", false),
        ("Remote-Name", false),
        ("X-Goog-Authenticated-User-Email", false),
        ("X-Goog-Iap-Jwt-Assertion", false),
        ("X-ARR-ClientCert", false),
        ("Client-Cert", false),
        ("Client-Cert-Chain", false),
        ("X-SSL-Client-Cert", false),
        ("X-Client-Cert", false),
        ("Accept", true),
        ("X-Request-Id", true),
        ("User-Agent", true),
        ("X-Tenant-Id", true),
        ("X-Legacy-Role", true),
    ];

    [Fact]
    public async Task Proxy_ClientIdentityAndRoutingHeaders_NeverReachUpstream()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var upstream = UpstreamView.Parse(await client.ProxyAsync("/echo/headers", admin.Token, r => AddAll(r, ClientHeaders)));

        var wrong = ClientHeaders.Where(h => h.Reaches != (upstream.Header(h.Name) == "root")).Select(h => h.Name).ToList();
        Assert.True(wrong.Count == 0, $"Stripped or passed the wrong way: {string.Join(", ", wrong)}; the upstream got {upstream}");
        Assert.Equal(["Keyward-Assertion"], upstream.HeaderNames.Where(n => n.StartsWith("Keyward", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Proxy_ClientXForwardedHeaders_AreReplacedNotAppendedTo()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var upstream = UpstreamView.Parse(await client.ProxyAsync("/echo/forwarded", admin.Token, r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "gopher");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/admin");
        }));

        // The in-process test server has no client address, so YARP sets none; the client's must not survive either way.
        Assert.DoesNotContain("203.0.113.7", upstream.Header("X-Forwarded-For") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal("https", upstream.Header("X-Forwarded-Proto"));
        Assert.Equal("localhost", upstream.Header("X-Forwarded-Host"));
        Assert.False(upstream.Has("X-Forwarded-Prefix"), upstream.ToString());
    }

    [Fact]
    public async Task Proxy_RouteStripRequestHeaders_StripsOnThatRouteOnly()
    {
        var (_, client, admin) = await StartWithAdminAsync(settings =>
        {
            settings["Keyward:Routes:strip:Path"] = "/strip/{**rest}";
            settings["Keyward:Routes:strip:Upstream"] = Echo.Address.ToString();
            settings["Keyward:Routes:strip:StripRequestHeaders:0"] = "x-tenant-id";
            settings["Keyward:Routes:strip:StripRequestHeaders:1"] = "X-Legacy-*";
        });
        (string, bool)[] sent = [("X-Tenant-Id", true), ("X-Legacy-Role", true), ("X-Request-Id", true)];

        var stripped = UpstreamView.Parse(await client.ProxyAsync("/strip/x", admin.Token, r => AddAll(r, sent)));
        var elsewhere = UpstreamView.Parse(await client.ProxyAsync("/echo/x", admin.Token, r => AddAll(r, sent)));

        Assert.False(stripped.Has("X-Tenant-Id") || stripped.Has("X-Legacy-Role"), stripped.ToString());
        Assert.Equal("root", stripped.Header("X-Request-Id"));
        Assert.Equal(("root", "root"), (elsewhere.Header("X-Tenant-Id"), elsewhere.Header("X-Legacy-Role")));
    }

    private static void AddAll(HttpRequestMessage request, IEnumerable<(string Name, bool Reaches)> headers)
    {
        foreach (var (name, _) in headers)
        {
            request.Headers.Remove(name);
            Assert.True(request.Headers.TryAddWithoutValidation(name, "root"), name);
        }
    }
}
