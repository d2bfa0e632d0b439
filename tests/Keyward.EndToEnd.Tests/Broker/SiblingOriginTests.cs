using Keyward.EndToEnd.Tests.Browser;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Issue 9's sibling-origin CSRF in a real Chromium: a page on another port of localhost (same site, so the admin's
/// SameSite=Strict session cookie goes along) auto-submits forms to Keyward. Keyward refuses them (403
/// cross_origin_request) and nothing is revoked; the signed-in page keeps working.
/// </summary>
[Trait("Category", "Browser")]
public sealed class SiblingOriginTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Admin = "alice";

    [Fact]
    public async Task SiblingOriginFormPost_WithTheAdminsCookie_IsRefusedAndRevokesNothing()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var sibling = await SiblingSite.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.SignInAsync(Admin, Admin);

        foreach (var path in (string[])[$"/api/admin/accounts/{Admin}/revoke-sessions", "/session/logout", "/resource/counter"])
        {
            output.WriteLine($"{sibling.Origin} posts a form to {path}");
            await page.Page.GotoAsync(sibling.FormPostingTo(broker.Origin + path));
            await page.ExpectAsync($"the form to land on {path}", () => page.Page.WaitForURLAsync(broker.Origin + path));
            var answer = await page.Page.Locator("body").TextContentAsync() ?? string.Empty;
            await page.CheckAsync(() => Assert.Contains("\"code\":\"cross_origin_request\"", answer, StringComparison.Ordinal));
        }

        // The same by script: a no-cors fetch needs no preflight and carries the cookie; its answer is opaque to the page.
        foreach (var path in (string[])[$"/api/admin/accounts/{Admin}/revoke-sessions", "/session/logout"])
        {
            output.WriteLine($"{sibling.Origin} fetches {path}");
            await page.Page.GotoAsync(sibling.FetchPostingTo(broker.Origin + path));
            await page.ExpectAsync($"the fetch to {path} to be sent", () => Expect(page.Page.Locator("#result")).ToHaveTextAsync("sent"));
        }

        // Still signed in, with the one session, and the counter was never called.
        await page.GoToAsync();
        await page.ExpectTextAsync("#status-account", Admin, exact: true);
        await page.ExpectAsync("one session listed", () => Expect(page.Page.Locator("#session-list li")).ToHaveCountAsync(1));
        Assert.Equal(0, upstream.Value);

        // Each attempt reached Keyward with the cookie (so the test is not vacuous) and was refused and recorded.
        var refusals = await page.Page.EvaluateAsync<string[]>(
            """
            async () => {
              const answer = await fetch('/api/audit/events?action=access.denied&limit=100', { credentials: 'same-origin' });
              const { events } = await answer.json();
              return events.filter(e => e.details.code === 'cross_origin_request').map(e => `${e.actor} ${e.details.method} ${e.target}`);
            }
            """);
        await page.CheckAsync(() => Assert.Equal(
            [$"{Admin} POST /api/admin/accounts/{Admin}/revoke-sessions", $"{Admin} POST /session/logout", $"{Admin} POST /api/admin/accounts/{Admin}/revoke-sessions", $"{Admin} POST /session/logout"],
            refusals));

        // The page itself (same origin, JSON) still may: its sign-out works.
        await page.SignOutAsync();
    }
}
