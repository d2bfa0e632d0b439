using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// The CSRF defence (docs/security.md): an unsafe request authenticated by Keyward's cookie must be same-origin
/// (Origin, or Sec-Fetch-Site: same-origin without one), and on Keyward's own endpoints also JSON or
/// X-Keyward-Request: 1. Bearer requests are not affected; a route may opt out with AllowCrossOriginUnsafe.
/// </summary>
public abstract partial class BrokerTests
{
    // What a page on another origin can make a browser send: none of these is Keyward's own origin (https://localhost).
    private static readonly (string Name, string? Origin, string? FetchSite)[] NotSameOrigin =
    [
        ("a sibling port", "https://localhost:8443", null),
        ("a sibling subdomain", "https://app.localhost", null),
        ("another scheme", "http://localhost", null),
        ("an opaque origin", "null", null),
        ("an origin with a path", "https://localhost/", null),
        ("two origins", "https://localhost, https://localhost", null),
        ("same-site fetch metadata", null, "same-site"),
        ("cross-site fetch metadata", null, "cross-site"),
        ("user-initiated fetch metadata", null, "none"),
        ("neither header", null, null),
        ("a sibling Origin beside same-origin fetch metadata", "https://localhost:8443", "same-origin"),
    ];

    private static readonly (string Name, string? Origin, string? FetchSite)[] SameOrigin =
    [
        ("its Origin", Origin, null),
        ("its Origin, upper case", Origin.ToUpperInvariant(), null),
        ("same-origin fetch metadata without an Origin", null, "same-origin"),
    ];

    // The same, seen from the app host app.localhost: Keyward's origin and a sibling app are other origins.
    private static readonly (string Name, string? Origin, string? FetchSite)[] NotTheAppsOrigin =
    [
        ("Keyward's origin", Origin, null),
        ("a sibling app", "https://other.localhost", null),
        ("another scheme", "http://app.localhost", null),
        ("an opaque origin", "null", null),
        ("an origin with a path", "https://app.localhost/", null),
        ("same-site fetch metadata", null, "same-site"),
        ("cross-site fetch metadata", null, "cross-site"),
        ("neither header", null, null),
        ("a sibling Origin beside same-origin fetch metadata", "https://other.localhost", "same-origin"),
    ];

    private static readonly (string Name, string? Origin, string? FetchSite)[] TheAppsOrigin =
    [
        ("its Origin", "https://app.localhost", null),
        ("its Origin, upper case", "HTTPS://APP.LOCALHOST", null),
        ("same-origin fetch metadata without an Origin", null, "same-origin"),
    ];

    // Bodies a same-origin page might send; only JSON (or the custom header) declares a script rather than a form.
    private static readonly (string Name, string? ContentType, string Body)[] UndeclaredBodies =
    [
        ("a form", "application/x-www-form-urlencoded", "a=1"),
        ("a multipart form", "multipart/form-data; boundary=x", "--x--"),
        ("plain text", "text/plain", "{}"),
        ("no body", null, string.Empty),
    ];

    [Fact]
    public async Task CookieWrite_ToKeywardEndpointFromAnotherOrigin_IsRefusedAndChangesNothing()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(new Broker(host, client, admin), "bob");
        var second = await client.LoginAsync("admin");
        var keyId = (await client.GetAsync("/api/keys", admin.Token)).Json[0].GetProperty("id").GetString();
        (HttpMethod Method, string Path)[] writes =
        [
            (HttpMethod.Post, "/session/logout"),
            (HttpMethod.Post, "/api/admin/accounts/bob/revoke-sessions"),
            (HttpMethod.Delete, $"/session/{second.Id}"),
            (HttpMethod.Patch, $"/api/keys/{keyId}"),
            (HttpMethod.Post, "/api/admin/invites"),
            (HttpMethod.Put, "/session/logout"),
        ];

        foreach (var (method, path) in writes)
        {
            foreach (var (name, origin, site) in NotSameOrigin)
            {
                var refused = await SendWithCookieAsync(client, method, path, admin.Token, origin, site, "application/json", """{"name":"mallory","account":"eve","role":"admin"}""");
                Assert.True(refused.Code == "cross_origin_request", $"{method} {path} with {name}: {refused}");
                ProblemAssert.Problem(refused, 403, "cross_origin_request");
            }

            foreach (var (name, contentType, body) in UndeclaredBodies)
            {
                var refused = await SendWithCookieAsync(client, method, path, admin.Token, Origin, null, contentType, body);
                Assert.True(refused.Code == "cross_origin_request", $"{method} {path} with {name}: {refused}");
            }
        }

        // Nothing changed: every session lives, the key keeps its name, no invite was made.
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        ProblemAssert.Ok(await client.StatusAsync(second.Token));
        ProblemAssert.Ok(await client.StatusAsync(bob.Token));
        Assert.NotEqual("mallory", (await client.GetAsync("/api/keys", admin.Token)).Json[0].GetProperty("name").GetString());
        var events = await AllEventsAsync(host);
        Assert.DoesNotContain(events, e => e.Action == AuditActions.InviteCreated && e.Target == "eve");
        var denied = events.Where(e => e.Action == AuditActions.AccessDenied).ToList();
        Assert.Equal(writes.Length * (NotSameOrigin.Length + UndeclaredBodies.Length), denied.Count);
        Assert.All(denied, e => Assert.Equal(("admin", "cross_origin_request"), (e.Actor, e.Details["code"])));
        Assert.Contains(denied, e => e.Target == "/api/admin/accounts/bob/revoke-sessions" && e.Details["method"] == "POST");
    }

    [Fact]
    public async Task CookieWrite_ToKeywardEndpointFromItsOwnOriginWithJsonOrHeader_IsAccepted()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var keyId = (await client.GetAsync("/api/keys", admin.Token)).Json[0].GetProperty("id").GetString();

        foreach (var (name, origin, site) in SameOrigin)
        {
            var renamed = await SendWithCookieAsync(client, HttpMethod.Patch, $"/api/keys/{keyId}", admin.Token, origin, site, "application/json; charset=utf-8", $$"""{"name":"{{name}}"}""");
            Assert.True(renamed.StatusCode == 204, $"with {name}: {renamed}");
        }

        // A bodiless endpoint takes an empty JSON object, or the custom header.
        var second = await client.LoginAsync("admin");
        ProblemAssert.Ok(await SendWithCookieAsync(client, HttpMethod.Delete, $"/session/{second.Id}", admin.Token, Origin, null, null, string.Empty, declare: true), 204);
        ProblemAssert.Problem(await client.StatusAsync(second.Token), 401, "session_revoked");
        ProblemAssert.Ok(await SendWithCookieAsync(client, HttpMethod.Post, "/session/logout", admin.Token, Origin, null, "application/json", "{}"));
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_logged_out");
        Assert.DoesNotContain(await AllEventsAsync(host), e => e.Action == AuditActions.AccessDenied && e.Details["code"] == "cross_origin_request");
    }

    [Fact]
    public async Task BearerWrite_FromAnotherOriginWithACookieBeside_IsNotTheCookieRulesBusiness()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var second = await client.LoginAsync("admin");

        // The README's curl flow: a Bearer token, no Origin, no body. Bearer wins over the cookie, so the cookie rules do not apply.
        var revoked = await client.SendAsync(HttpMethod.Delete, $"/session/{second.Id}", token: admin.Token, configure: r =>
        {
            r.Headers.Add("Cookie", $"__Host-keyward-session={admin.Token}");
            r.Headers.Add("Origin", "https://localhost:8443");
        });

        ProblemAssert.Ok(revoked, 204);
        ProblemAssert.Ok(await client.PostAsync("/echo/x", new JsonObject(), admin.Token));
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));
    }

    [Fact]
    public async Task CookieRead_FromAnotherOrigin_IsNotRefusedByTheWriteRule()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Options })
        {
            var read = await SendWithCookieAsync(client, method, $"https://{AppHost}/read", app, Origin, "same-site", null, string.Empty, cookie: AppCookie);
            Assert.True(read.StatusCode == 200, $"{method}: {read}");
        }

        Assert.Equal(3, Echo.RequestCount);
    }

    [Fact]
    public async Task CookieWrite_ToProxiedRoute_MustBeSameOriginButNeedNotBeJson()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);

        // The handoff's first page load was itself refused (no app cookie yet): count from here.
        var earlier = (await AllEventsAsync(host)).Count;
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, new HttpMethod("PROPFIND") })
        {
            foreach (var (name, origin, site) in NotTheAppsOrigin)
            {
                var refused = await SendWithCookieAsync(client, method, $"https://{AppHost}/write", app, origin, site, "application/x-www-form-urlencoded", "a=1", cookie: AppCookie);
                Assert.True(refused.Code == "cross_origin_request" && refused.StatusCode == 403, $"{method} with {name}: {refused}");
            }

            // A forged or stale cookie is refused the same way: the rule is about what the browser sent, not whether it is valid.
            ProblemAssert.Problem(await SendWithCookieAsync(client, method, $"https://{AppHost}/write", "kwp_forged", Origin, null, null, string.Empty, cookie: AppCookie), 403, "cross_origin_request");
        }

        Assert.Equal(0, Echo.RequestCount);
        var denied = (await AllEventsAsync(host)).Skip(earlier).Where(e => e.Action == AuditActions.ProxyDenied).ToList();
        Assert.Equal(5 * (NotTheAppsOrigin.Length + 1), denied.Count);
        Assert.All(denied, e => Assert.Equal(("app", "cross_origin_request"), (e.Target, e.Details["code"])));

        // From its own origin, a form post is the upstream's to judge.
        foreach (var (name, origin, site) in TheAppsOrigin)
        {
            var accepted = await SendWithCookieAsync(client, HttpMethod.Post, $"https://{AppHost}/write", app, origin, site, "application/x-www-form-urlencoded", "a=1", cookie: AppCookie);
            Assert.True(accepted.StatusCode == 200, $"with {name}: {accepted}");
        }

        Assert.Equal(TheAppsOrigin.Length, Echo.RequestCount);

        // A request whose only cookies are not Keyward's is not cookie-authenticated by Keyward: it is simply unauthenticated.
        var foreign = await client.SendAsync(HttpMethod.Post, $"https://{AppHost}/write", configure: r =>
        {
            r.Headers.Add("Cookie", "theme=dark");
            r.Headers.Add("Origin", Origin);
        });
        ProblemAssert.Problem(foreign, 401, "session_missing");
    }

    [Fact]
    public async Task CookieWrite_ToRouteThatAllowsCrossOriginUnsafe_ReachesTheUpstream()
    {
        const string Open = "open.localhost";
        var (_, client, admin) = await StartWithAdminAsync(settings =>
        {
            settings["Keyward:Routes:open:Host"] = Open;
            settings["Keyward:Routes:open:Upstream"] = Echo.Address.ToString();
            settings["Keyward:Routes:open:AllowCrossOriginUnsafe"] = "true";
        });
        var app = await SignInToAppAsync(client, admin);
        var (code, verifier) = await IssueCodeAsync(client, admin, Open);
        var open = Value(SetCookie(await RedeemAsync(client, Open, code, verifier), AppCookie));

        var accepted = await SendWithCookieAsync(client, HttpMethod.Post, $"https://{Open}/form", open, $"https://{AppHost}", "same-site", "application/x-www-form-urlencoded", "a=1", cookie: AppCookie);
        var refused = await SendWithCookieAsync(client, HttpMethod.Post, $"https://{AppHost}/form", app, $"https://{Open}", "same-site", "application/x-www-form-urlencoded", "a=1", cookie: AppCookie);

        ProblemAssert.Ok(accepted);
        Assert.Equal("/form", UpstreamView.Parse(accepted).Path);
        ProblemAssert.Problem(refused, 403, "cross_origin_request");
        Assert.Equal(1, Echo.RequestCount);
    }

    // A browser's request with one of Keyward's cookies (the session cookie unless told; never a Bearer token), from the given origin.
    private static Task<KeywardResponse> SendWithCookieAsync(
        KeywardTestClient client, HttpMethod method, string path, string token, string? origin, string? fetchSite, string? contentType, string body, bool declare = false, string cookie = SessionCookie) =>
        client.SendAsync(method, path, configure: r =>
        {
            r.Headers.Add("Cookie", $"{cookie}={token}");
            if (origin is not null)
            {
                r.Headers.TryAddWithoutValidation("Origin", origin);
            }

            if (fetchSite is not null)
            {
                r.Headers.Add("Sec-Fetch-Site", fetchSite);
            }

            if (declare)
            {
                r.Headers.Add("X-Keyward-Request", "1");
            }

            if (contentType is not null)
            {
                r.Content = new StringContent(body, Encoding.UTF8);
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        });
}
