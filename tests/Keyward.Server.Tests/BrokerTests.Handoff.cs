using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>The one-time handoff from Keyward's origin to an app host, and the app cookie it sets.</summary>
public abstract partial class BrokerTests
{
    private const string AppCookie = "__Host-keyward-app";
    private const string PreCookie = "__Host-keyward-pre";
    private const string SessionCookie = "__Host-keyward-session";

    [Fact]
    public async Task Handoff_SignedInBrowser_GetsHostOnlyAppCookieThatReachesTheUpstream()
    {
        var (host, client, admin) = await StartWithAdminAsync();

        var start = await NavigateAsync(client, $"https://{AppHost}/page?x=1", cookie: null);
        Assert.Equal(302, start.StatusCode);
        var pre = SetCookie(start, PreCookie);
        AssertCookieAttributes(pre, "samesite=lax", maxAge: true);
        var handoff = start.Headers.Location!;
        Assert.Equal($"{Origin}/.keyward/handoff", handoff.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(handoff.Query);
        Assert.Equal(AppHost, query["host"]);
        Assert.Equal("/page?x=1", query["return"]);
        AssertNoStore(start);

        var issued = await NavigateAsync(client, handoff.ToString(), $"{SessionCookie}={admin.Token}");
        Assert.Equal(302, issued.StatusCode);
        AssertNoStore(issued);
        var callback = issued.Headers.Location!;
        Assert.Equal($"https://{AppHost}/.keyward/callback", callback.GetLeftPart(UriPartial.Path));
        Assert.StartsWith("?code=kwh_", callback.Query, StringComparison.Ordinal);

        var redeemed = await NavigateAsync(client, callback.ToString(), $"{PreCookie}={Value(pre)}");
        Assert.Equal(302, redeemed.StatusCode);
        AssertNoStore(redeemed);
        Assert.Equal("/page?x=1", redeemed.Headers.Location!.OriginalString);
        var app = SetCookie(redeemed, AppCookie);
        AssertCookieAttributes(app, "samesite=lax", maxAge: false);
        Assert.StartsWith("kwp_", Value(app), StringComparison.Ordinal);
        Assert.StartsWith($"{PreCookie}=;", SetCookie(redeemed, PreCookie), StringComparison.Ordinal);

        // The app cookie opens the app host's routes, as the parent session, and never reaches the upstream.
        var proxied = UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/page?x=1", configure: r => r.Headers.Add("Cookie", $"theme=dark; {AppCookie}={Value(app)}; {PreCookie}=x")));
        Assert.Equal("/page", proxied.Path);
        Assert.Equal(["theme=dark"], proxied.Cookies());
        Assert.Equal(admin.Id.ToString(), IdentityAssertion.Parse(proxied.Header("Keyward-Assertion")!).Claim("sid"));

        var events = await AllEventsAsync(host);
        Assert.Contains(events, e => e.Action == AuditActions.HandoffIssued && e.Actor == "admin" && e.Target == AppHost);
        Assert.Contains(events, e => e.Action == AuditActions.HandoffRedeemed && e.Actor == "admin" && e.Target == AppHost);
        Assert.DoesNotContain(events, e => e.Details.Values.Any(v => v.Contains(Value(app)[4..], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Handoff_ReplayedCode_IsRefusedAndAudited()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);

        Assert.Equal(302, (await RedeemAsync(client, AppHost, code, verifier)).StatusCode);
        var replay = await RedeemAsync(client, AppHost, code, verifier);

        ProblemAssert.Problem(replay, 400, "handoff_code_consumed");
        Assert.Null(replay.Headers.Location);
        Assert.False(replay.Headers.Contains("Set-Cookie"));
        await AssertRefusedAsync(host, "handoff_code_consumed");
    }

    [Fact]
    public async Task Handoff_CodeOlderThan60Seconds_IsRefusedAsExpired()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);

        host.Time.Advance(TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(1));

        ProblemAssert.Problem(await RedeemAsync(client, AppHost, code, verifier), 400, "handoff_code_expired");
        await AssertRefusedAsync(host, "handoff_code_expired");
    }

    [Fact]
    public async Task Handoff_CodeJustUnder60Seconds_IsRedeemed()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);

        host.Time.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));

        Assert.Equal(302, (await RedeemAsync(client, AppHost, code, verifier)).StatusCode);
    }

    [Fact]
    public async Task Handoff_CodeForAnotherHost_IsRefused()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);

        var refused = await RedeemAsync(client, OtherHost, code, verifier);

        ProblemAssert.Problem(refused, 400, "handoff_wrong_host");
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        await AssertRefusedAsync(host, "handoff_wrong_host");

        // Spent by the wrong host: the right one cannot use it afterwards either.
        ProblemAssert.Problem(await RedeemAsync(client, AppHost, code, verifier), 400, "handoff_code_consumed");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("other-browser")]
    public async Task Handoff_MissingOrWrongVerifier_IsRefused(string? presented)
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);
        var (_, otherVerifier) = await IssueCodeAsync(client, admin);
        var cookie = presented switch { null => null, "wrong" => verifier[..^1] + (verifier[^1] == 'A' ? 'B' : 'A'), _ => otherVerifier };

        var refused = await RedeemAsync(client, AppHost, code, cookie);

        ProblemAssert.Problem(refused, 400, "handoff_verifier_mismatch");
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        await AssertRefusedAsync(host, "handoff_verifier_mismatch");
    }

    [Fact]
    public async Task Handoff_CodeWhoseSessionEnded_IsRefused()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var (code, verifier) = await IssueCodeAsync(client, admin);
        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));

        var refused = await RedeemAsync(client, AppHost, code, verifier);

        ProblemAssert.Problem(refused, 401, "session_logged_out");
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        await AssertRefusedAsync(host, "session_logged_out");
    }

    [Theory]
    [InlineData("host=evil.example&challenge={c}&return=%2F")]
    [InlineData("host=app.localhost:443&challenge={c}&return=%2F")]
    [InlineData("host=localhost&challenge={c}&return=%2F")]
    [InlineData("host=app.localhost&challenge={c}&return=%2F%2Fevil.example")]
    [InlineData("host=app.localhost&challenge={c}&return=https%3A%2F%2Fevil")]
    [InlineData("host=app.localhost&challenge={c}&return=%2F%5Cevil.example")]
    [InlineData("host=app.localhost&challenge={c}&return=")]
    [InlineData("host=app.localhost&challenge=short&return=%2F")]
    [InlineData("host=app.localhost&return=%2F")]
    [InlineData("host=app.localhost&host=other.localhost&challenge={c}&return=%2F")]
    public async Task Handoff_BadRequest_Returns400WithNoLocation(string query)
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var challenge = new string('A', 43);

        var refused = await NavigateAsync(client, "/.keyward/handoff?" + query.Replace("{c}", challenge, StringComparison.Ordinal), $"{SessionCookie}={admin.Token}");

        ProblemAssert.Problem(refused, 400, "handoff_request_invalid");
        Assert.Null(refused.Headers.Location);
        await AssertRefusedAsync(host, "handoff_request_invalid");
    }

    [Fact]
    public async Task Handoff_NotSignedIn_SendsToTheSignInPageAndBack()
    {
        var (_, client, _) = await StartWithAdminAsync();
        var path = $"/.keyward/handoff?host={AppHost}&challenge={new string('A', 43)}&return=%2Fpage";

        var redirected = await NavigateAsync(client, path, cookie: null);

        Assert.Equal(302, redirected.StatusCode);
        Assert.Equal("/?return=" + Uri.EscapeDataString(path), redirected.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AppHost_WithoutAppCookie_ApiCallGets401AndNavigationStartsTheHandoff()
    {
        var (_, client, admin) = await StartWithAdminAsync();

        var api = await client.SendAsync(HttpMethod.Post, $"https://{AppHost}/api/x", new JsonObject());
        ProblemAssert.Problem(api, 401, "session_missing");
        Assert.Null(api.Headers.Location);

        // Keyward's session cookie means nothing on an app host.
        ProblemAssert.Problem(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{SessionCookie}={admin.Token}")), 401, "session_missing");
        var navigation = await NavigateAsync(client, $"https://{AppHost}/x", $"{SessionCookie}={admin.Token}");
        Assert.Equal(302, navigation.StatusCode);
        Assert.StartsWith($"{Origin}/.keyward/handoff?", navigation.Headers.Location!.ToString(), StringComparison.Ordinal);

        // A Bearer session still works there, for API clients.
        Assert.Equal("/x", UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/x", admin.Token)).Path);
        Assert.Equal(1, Echo.RequestCount);
    }

    [Fact]
    public async Task AppCookie_OnKeywardsOriginAndOnAnotherAppHost_IsRefused()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);

        // Same-origin as far as the CSRF check goes (so that check is not what refuses it): the app cookie is simply no session here.
        ProblemAssert.Problem(await client.SendAsync(HttpMethod.Post, "/session/status", new JsonObject(), configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}"), origin: Origin), 401, "session_missing");
        ProblemAssert.Problem(await client.GetAsync("/echo/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")), 401, "session_missing");
        ProblemAssert.Problem(await client.GetAsync($"https://{OtherHost}/app/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")), 401, "app_session_invalid");
        Assert.Equal(0, Echo.RequestCount);
    }

    [Fact]
    public async Task AppCookie_AfterLogoutOnKeywardsOrigin_Gets401AtOnce()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);
        UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")));

        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));

        ProblemAssert.Problem(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")), 401, "session_logged_out");
        Assert.Equal(1, Echo.RequestCount);
    }

    [Fact]
    public async Task AppCookie_AfterRevocationByAnAdmin_Gets401AtOnce()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");
        var app = await SignInToAppAsync(broker.Client, bob);

        ProblemAssert.Ok(await broker.Client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: broker.Admin.Token));

        ProblemAssert.Problem(await broker.Client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")), 401, "session_revoked");
        Assert.Equal(0, Echo.RequestCount);
    }

    [Fact]
    public async Task AppCookie_FollowsTheParentsIdleExpiry()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);

        // Using the app keeps the parent alive; leaving both alone idles both out.
        host.Time.Advance(TimeSpan.FromMinutes(20));
        UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")));
        host.Time.Advance(TimeSpan.FromMinutes(20));
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        host.Time.Advance(TimeSpan.FromMinutes(31));

        ProblemAssert.Problem(await client.GetAsync($"https://{AppHost}/x", configure: r => r.Headers.Add("Cookie", $"{AppCookie}={app}")), 401, "session_idle_expired");
    }

    [Fact]
    public async Task AppCookie_AndBasicAuthorization_NeitherReachesUpstream()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var app = await SignInToAppAsync(client, admin);

        var upstream = UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/cookie", configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Basic cm9vdDpyb290");
            r.Headers.TryAddWithoutValidation("Cookie", $"{AppCookie}={app}; theme=dark");
        }));

        Assert.False(upstream.Has("Authorization"), upstream.ToString());
        Assert.Equal(["theme=dark"], upstream.Cookies());
        Assert.Equal(admin.Id.ToString(), IdentityAssertion.Parse(upstream.Header("Keyward-Assertion")!).Claim("sid"));

        var only = UpstreamView.Parse(await client.GetAsync($"https://{AppHost}/only", configure: r => r.Headers.TryAddWithoutValidation("Cookie", $"{AppCookie}={app}")));
        Assert.False(only.Has("Cookie"), only.ToString());
    }

    private static Task<KeywardResponse> NavigateAsync(KeywardTestClient client, string url, string? cookie) =>
        client.GetAsync(url, configure: r =>
        {
            r.Headers.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            if (cookie is not null)
            {
                r.Headers.Add("Cookie", cookie);
            }
        });

    /// <summary>Starts the handoff on the app host and has Keyward's origin mint a code: the code and the browser's verifier.</summary>
    private static async Task<(string Code, string Verifier)> IssueCodeAsync(KeywardTestClient client, TestSession session, string host = AppHost)
    {
        var start = await NavigateAsync(client, $"https://{host}/", cookie: null);
        var verifier = Value(SetCookie(start, PreCookie));
        var issued = await NavigateAsync(client, start.Headers.Location!.ToString(), $"{SessionCookie}={session.Token}");
        Assert.Equal(302, issued.StatusCode);
        var code = System.Web.HttpUtility.ParseQueryString(issued.Headers.Location!.Query)["code"]!;
        return (code, verifier);
    }

    private static Task<KeywardResponse> RedeemAsync(KeywardTestClient client, string host, string code, string? verifier) =>
        NavigateAsync(client, $"https://{host}/.keyward/callback?code={code}", verifier is null ? null : $"{PreCookie}={verifier}");

    /// <summary>The whole handoff for <paramref name="session"/>: the app cookie's value.</summary>
    private static async Task<string> SignInToAppAsync(KeywardTestClient client, TestSession session)
    {
        var (code, verifier) = await IssueCodeAsync(client, session);
        var redeemed = await RedeemAsync(client, AppHost, code, verifier);
        Assert.Equal(302, redeemed.StatusCode);
        return Value(SetCookie(redeemed, AppCookie));
    }

    private static string SetCookie(KeywardResponse response, string name) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal));

    private static string Value(string setCookie) => setCookie[(setCookie.IndexOf('=', StringComparison.Ordinal) + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)];

    private static void AssertCookieAttributes(string setCookie, string sameSite, bool maxAge)
    {
        var attributes = setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("path=/", attributes);
        Assert.Contains(sameSite, attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.Ordinal));
        Assert.Equal(maxAge, attributes.Any(a => a.StartsWith("max-age", StringComparison.Ordinal)));
    }

    private static void AssertNoStore(KeywardResponse response)
    {
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
    }

    private static async Task AssertRefusedAsync(KeywardTestHost host, string code)
    {
        var events = await AllEventsAsync(host);
        Assert.Contains(events, e => e.Action == AuditActions.HandoffRefused && e.Outcome == AuditOutcomes.Denied && e.Details.TryGetValue("reason", out var reason) && reason == code);
    }
}
