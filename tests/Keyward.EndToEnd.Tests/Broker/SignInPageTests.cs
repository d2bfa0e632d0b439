using Keyward.EndToEnd.Tests.Browser;
using Microsoft.AspNetCore.WebUtilities;
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
    public async Task SignInPage_SetupCodeThenSignIn_CountsThroughTheProxyAndRefusesAfterSignOut()
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

        Assert.Equal("Counter value: 1", await page.CallCounterAsync());
        Assert.Equal("Counter value: 2", await page.CallCounterAsync());
        await page.SignOutAsync();

        var refused = await page.CallCounterAsync();
        await page.CheckAsync(() =>
        {
            Assert.StartsWith("401 Not signed in:", refused, StringComparison.Ordinal);
            Assert.Contains("(session_missing)", refused, StringComparison.Ordinal);
            Assert.Equal(2, upstream.Value);
            Assert.Equal(0, upstream.Refused);
        });
    }

    [Fact]
    public async Task SignInPage_ProtectedPathWhileSignedOut_RedirectsToSignInThenBack()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");

        // A browser navigation (GET, Accept: text/html) without a session goes to the sign-in page, remembering where.
        await page.GoToAsync("/resource/counter");
        var redirected = new Uri(page.Page.Url);
        await page.CheckAsync(() =>
        {
            Assert.Equal(broker.Origin + "/", redirected.GetLeftPart(UriPartial.Path));
            Assert.Equal("/resource/counter", QueryHelpers.ParseQuery(redirected.Query)["return"].ToString());
        });
        await page.ExpectTextAsync("#return-notice", "Sign in to continue to /resource/counter.");

        await page.StartSignInAsync(string.Empty);
        await page.ExpectAsync("the page to return to /resource/counter", () => page.Page.WaitForURLAsync(broker.Origin + "/resource/counter"));
        await page.ExpectTextAsync("#counter-page", "Counter is at 0.");
        Assert.Equal(0, upstream.Refused);
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
        foreach (var target in (string[])["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\t/evil.example/", "javascript:alert(1)"])
        {
            output.WriteLine($"return={target}");
            await page.GoToAsync("/?return=" + Uri.EscapeDataString(target));
            await page.SignInAsync(string.Empty, Admin);
            await page.CheckAsync(() => Assert.Equal(broker.Origin + "/", new Uri(page.Page.Url).GetLeftPart(UriPartial.Path)));
            await page.ExpectAsync($"no continue link for {target}", () => Expect(page.Page.Locator("#continue")).ToBeHiddenAsync());
            await page.SignOutAsync();
        }
    }
}
