using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    // Each upstream Set-Cookie, and whether the browser may see it. Names are read as RFC 6265 §5.2 reads them.
    private static readonly (string SetCookie, bool Reaches)[] UpstreamSetCookies =
    [
        ("__Host-keyward-session =kws_x; Secure; Path=/", false),
        ("__Host-keyward-session\t=kws_x; Secure; Path=/", false),
        ("\t __Host-keyward-session \t=kws_x; Secure; Path=/", false),
        ("__HOST-KEYWARD-SESSION=; Secure; Path=/", false),
        ("__Secure-keyward-x=1; Secure; Path=/", false),
        ("keyward_app=1; Path=/", false),
        ("KeyWard=1; Path=/", false),
        ("__Host-keyward-session; Secure; Path=/", false),
        ("=keyward_app=1; Path=/", false),
        ("app=1; Path=/", true),
        ("app=__Host-keyward-session=kws_x; Path=/", true),
        ("theme = dark; Path=/", true),
        ("lang=en; Domain=keyward.example; Path=/", true),
    ];

    [Fact]
    public async Task Proxy_UpstreamSetCookieInKeywardNamespaceOrNameless_NeverReachesTheClient()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var query = string.Join("&", UpstreamSetCookies.Select(c => "set-cookie=" + Uri.EscapeDataString(c.SetCookie)));

        var proxied = await client.ProxyAsync($"/echo/cookies?{query}", admin.Token);

        Assert.Equal(200, proxied.StatusCode);
        var reached = proxied.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        Assert.Equal(UpstreamSetCookies.Where(c => c.Reaches).Select(c => c.SetCookie), reached);
    }

    [Fact]
    public async Task Proxy_UpstreamWithoutSetCookie_AnswersWithoutSetCookie()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var proxied = await client.ProxyAsync("/echo/plain", admin.Token);

        Assert.Equal(200, proxied.StatusCode);
        Assert.False(proxied.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Proxy_ClientCookiesInKeywardNamespace_NeverReachUpstream()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var cookie = $"app=1; __HOST-KEYWARD-SESSION={admin.Token}; \t__Secure-keyward-x=1;keyward_app=2, KeyWard=3; "
            + "theme=__Host-keyward-session=v;  __Host-keyward-session ={admin.Token}; keyward_bare; lang=en";

        var upstream = UpstreamView.Parse(await client.ProxyAsync("/echo/cookies", admin.Token, r => r.Headers.TryAddWithoutValidation("Cookie", cookie)));

        Assert.Equal(["app=1", "theme=__Host-keyward-session=v", "lang=en"], upstream.Cookies());
        Assert.False(TokenLeaks.Contains(upstream.ToString()), "The session token reached the upstream.");
    }
}
