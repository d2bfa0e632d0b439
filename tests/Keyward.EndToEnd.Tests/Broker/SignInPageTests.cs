using Keyward.EndToEnd.Tests.Browser;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Acceptance: Keyward's sign-in page in a real Chromium against the real broker (in process, real Kestrel on
/// loopback) and a counter upstream behind its proxy, with a DevTools virtual security key (CTAP2, resident keys, UV).
/// </summary>
[Trait("Category", "Browser")]
public sealed class SignInPageTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Admin = "alice";

    [Fact]
    public async Task SignInPage_SetupCodeThenSignIn_ShowsTheSessionAndKeepsNoToken()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.ExpectAsync("the sign-in form for a signed-out visitor", () => Expect(page.Page.Locator("#signed-out")).ToBeVisibleAsync());

        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");

        // With a username (allowCredentials from the account).
        await page.SignInAsync(Admin, Admin);
        await page.ExpectTextAsync("#status-role", "admin", exact: true);
        await page.ExpectTextAsync("#status-uv", "yes");
        await page.ExpectTextAsync("#key-list", "Blue key");

        // No route named echo takes sockets here, so the page does not offer the echo socket.
        await page.ExpectAsync("no echo section", () => Expect(page.Page.Locator("#echo")).ToBeHiddenAsync());
        await page.ExpectAsync("one session listed", () => Expect(page.Page.Locator("#session-list li")).ToHaveCountAsync(1));
        await page.SignOutAsync();

        // Without one: a discoverable credential names the account through its user handle.
        await page.SignInAsync(string.Empty, Admin);
        await page.ExpectTextAsync("#session-list", "(this one)");

        // The page keeps no token: the session is only the HttpOnly cookie, which script cannot read.
        var stored = await page.Page.EvaluateAsync<string>("() => document.cookie + '|' + localStorage.length + '|' + sessionStorage.length");
        var cookies = await page.Page.Context.CookiesAsync([broker.Origin]);
        await page.CheckAsync(() =>
        {
            Assert.Equal("|0|0", stored);
            var session = Assert.Single(cookies, c => c.Name == "__Host-keyward-session");
            Assert.True(session.HttpOnly);
            Assert.True(session.Secure);
        });

    }

    [Fact]
    public async Task AppHost_WhileSignedOut_SignsInOnKeywardsOriginThenCountsAsTheUserUntilSignOut()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");

        // A navigation to the app host without its cookie goes to Keyward's origin, which sends it to sign in first.
        await page.Page.GotoAsync(broker.AppOrigin + "/");
        await page.ExpectAsync("the sign-in page on Keyward's origin", () => page.Page.WaitForURLAsync(url => url.StartsWith(broker.Origin + "/?return=", StringComparison.Ordinal)));
        var redirected = new Uri(page.Page.Url);
        var back = QueryHelpers.ParseQuery(redirected.Query)["return"].ToString();
        await page.CheckAsync(() => Assert.StartsWith("/.keyward/handoff?host=counter.localhost&challenge=", back, StringComparison.Ordinal));
        await page.ExpectTextAsync("#return-notice", "Sign in to continue to /.keyward/handoff");

        // Signed in, the page follows the handoff: a one-time code, the app host's callback, the app cookie, the app.
        await page.StartSignInAsync(string.Empty);
        await page.ExpectAsync("the app page on its own host", () => page.Page.WaitForURLAsync(broker.AppOrigin + "/"));
        await page.ExpectTextAsync("#app-page", $"Counter app for {Admin}.");
        var cookies = await page.Page.Context.CookiesAsync([broker.AppOrigin]);
        await page.CheckAsync(() =>
        {
            var app = Assert.Single(cookies, c => c.Name == "__Host-keyward-app");
            Assert.True(app.HttpOnly);
            Assert.True(app.Secure);
            Assert.Equal("counter.localhost", app.Domain);
            Assert.DoesNotContain(cookies, c => c.Name == "__Host-keyward-pre");

            // (Playwright lists localhost's cookies for subdomains too; the session cookie stays host-only on Keyward's host.)
            Assert.All(cookies.Where(c => c.Name == "__Host-keyward-session"), c => Assert.Equal("localhost", c.Domain));
        });

        // The app's own requests carry its cookie and reach the counter as the user; a second tab keeps the app open.
        Assert.Equal("1 alice", await CountAsync(page.Page));
        Assert.Equal("2 alice", await CountAsync(page.Page));
        var app = await page.Page.Context.NewPageAsync();
        await app.GotoAsync(broker.AppOrigin + "/");
        await page.ExpectAsync("the app in a second tab", () => Expect(app.Locator("#app-page")).ToContainTextAsync($"Counter app for {Admin}."));

        // Signing out on Keyward's origin ends the app cookie at once: the app's next request fails.
        await page.GoToAsync();
        await page.SignOutAsync();
        Assert.Equal("401", await CountAsync(app));
        await page.CheckAsync(() =>
        {
            Assert.Equal(2, upstream.Value);
            Assert.Equal(0, upstream.Refused);
        });
    }

    [Fact]
    public async Task AppHost_AccountTakeoverPage_ChangesNothingOnKeywardsOrigin()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.SignInAsync(Admin, Admin);
        var before = await StateAsync(broker);

        // The page of issue 9, served by the upstream on its app host to the signed-in admin: register a key, create an
        // invite, revoke sessions, sign out, all against Keyward's origin with credentials.
        await page.Page.GotoAsync($"{broker.AppOrigin}/attack?keyward={Uri.EscapeDataString(broker.Origin)}");
        await page.ExpectAsync("the attack page on the app host", () => page.Page.WaitForURLAsync(url => url.StartsWith(broker.AppOrigin + "/attack", StringComparison.Ordinal)));
        await page.ExpectTextAsync("#results", "done");
        output.WriteLine(await page.Page.Locator("#results").TextContentAsync());

        var after = await StateAsync(broker);
        await page.CheckAsync(() => Assert.Equal(before, after));
        await page.GoToAsync();
        await page.ExpectTextAsync("#status-account", Admin, exact: true);
    }

    [Fact]
    public async Task AppHost_UpstreamSetsHostileKeywardCookies_TheBrowsersCookiesAreUnchanged()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.Page.GotoAsync(broker.AppOrigin + "/");
        await page.StartSignInAsync(string.Empty);
        await page.ExpectAsync("the app page on its own host", () => page.Page.WaitForURLAsync(broker.AppOrigin + "/"));
        var before = await page.Page.Context.CookiesAsync([broker.Origin, broker.AppOrigin]);

        // The upstream answers with every hostile spelling of Keyward's cookie names (and one cookie of its own).
        await page.Page.GotoAsync(broker.AppOrigin + "/cookies");
        await page.ExpectTextAsync("#cookie-page", "Cookies set.");

        var after = await page.Page.Context.CookiesAsync([broker.Origin, broker.AppOrigin]);
        static string Keyward(IReadOnlyList<Microsoft.Playwright.BrowserContextCookiesResult> cookies) => string.Join("; ", cookies
            .Where(c => c.Name.Contains("keyward", StringComparison.OrdinalIgnoreCase) || c.Value.Contains("keyward", StringComparison.OrdinalIgnoreCase) || c.Value.Contains("planted", StringComparison.Ordinal))
            .Select(c => $"{c.Domain}|{c.Name}={c.Value}")
            .Order(StringComparer.Ordinal));
        await page.CheckAsync(() =>
        {
            // Keyward's cookies are exactly as they were: none planted, overwritten, shadowed or cleared.
            Assert.Equal(Keyward(before), Keyward(after));
            Assert.Single(after, c => c.Name == "__Host-keyward-app");
            Assert.Contains(after, c => c.Name == "theme" && c.Domain == "counter.localhost");
        });

        // And the app still counts as the user.
        Assert.Equal("1 alice", await CountAsync(page.Page));
    }

    // POST /resource/counter from the app's page (same origin there): "value account", or the status when refused.
    private static Task<string> CountAsync(Microsoft.Playwright.IPage app) =>
        app.EvaluateAsync<string>("""
            async () => {
              const response = await fetch('/resource/counter', { method: 'POST' });
              if (!response.ok) { return String(response.status); }
              const data = await response.json();
              return `${data.value} ${data.account}`;
            }
            """);

    // What the takeover page was after: keys, live sessions, invites, accounts.
    private static async Task<(int Keys, int LiveSessions, int Invites, int Accounts)> StateAsync(BrokerHost broker)
    {
        var database = (Keyward.Core.Storage.KeywardDatabase)broker.Services.GetService(typeof(Keyward.Core.Storage.KeywardDatabase))!;
        await using var db = database.CreateContext();
        return (
            await db.Authenticators.CountAsync(),
            await db.Sessions.CountAsync(s => s.RevokedAt == null),
            await db.Invites.CountAsync(),
            await db.Accounts.CountAsync());
    }

    [Fact]
    public async Task SignInPage_ReturnOutsideThisOrigin_StaysOnThePage()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");

        // Each would leave this origin if the page trusted ?return= (URL parsers turn "/\host" and "/<tab>/host" into "//host").
        await SignInStaysOnThePageAsync(page, broker.Origin, ["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\t/evil.example/", "javascript:alert(1)"]);
    }

    [Fact]
    public async Task SignInPage_ReturnToAnApiOrPlanePath_StaysOnThePage()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");

        // Same origin, but not a page: a link must not make a freshly signed-in browser fetch or download these
        // (the server routes paths case-insensitively and percent-decoded, so those spellings are refused too).
        await SignInStaysOnThePageAsync(page, broker.Origin, ["/api/audit/export", "/API/audit/export", "/%61pi/audit/export", "/session/status", "/resource/counter"]);

        // A console page is still a place to go back to.
        await page.GoToAsync("/?return=" + Uri.EscapeDataString("/console/#audit"));
        await page.StartSignInAsync(string.Empty);
        await page.ExpectAsync("back on the console", () => page.Page.WaitForURLAsync(url => url.StartsWith(broker.Origin + "/console/", StringComparison.Ordinal)));
    }

    // For each ?return= target: signing in leaves the browser on the sign-in page with no continue link.
    private async Task SignInStaysOnThePageAsync(SignInPage page, string origin, string[] targets)
    {
        foreach (var target in targets)
        {
            output.WriteLine($"return={target}");
            await page.GoToAsync("/?return=" + Uri.EscapeDataString(target));
            await page.SignInAsync(string.Empty, Admin);
            await page.CheckAsync(() => Assert.Equal(origin + "/", new Uri(page.Page.Url).GetLeftPart(UriPartial.Path)));
            await page.ExpectAsync($"no continue link for {target}", () => Expect(page.Page.Locator("#continue")).ToBeHiddenAsync());
            await page.SignOutAsync();
        }
    }
}
