using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// The console's account pane (issue 14 item 1) in Chromium against the real Keyward: a person renames a key, is told
/// with its code that the last key cannot go (after the step-up the removal asks for), and ends their other sessions.
/// CSP violations and axe-core are checked at 1440 and 360 pixels wide.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AccountPaneTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    // A sign-in made by the page's own key with credentials: 'omit', so the browser keeps its cookie: another session.
    private const string SignInElsewhere = """
        async () => {
          const post = (path, body) => fetch(path, { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(r => r.json());
          const started = await post('/session/login/begin', { username: 'alice' });
          const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(started.public_key) });
          const done = await post('/session/login/finish', { ceremony_id: started.ceremony_id, credential: credential.toJSON() });
          return done.account;
        }
        """;

    [Fact]
    public async Task AccountPane_RenamesAKeyRefusesToRemoveTheLastOneAndEndsOtherSessions()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(page.Page);
        var errors = ConsolePage.WatchUncaughtErrors(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");
        var elsewhere = await page.Page.EvaluateAsync<string>(SignInElsewhere);
        await page.CheckAsync(() => Assert.Equal("alice", elsewhere));

        await page.GoToAsync("/console/");
        await page.ExpectAsync("the Account pane first", () => Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Account" })).ToHaveAttributeAsync("aria-current", "page"));
        await page.ExpectTextAsync("#account-keys", "Blue key (signed in with it)");
        // Its type from the transports Chromium reported at registration (the virtual key is a USB security key).
        await page.ExpectAsync("the key's type", () => Expect(page.Page.Locator("#account-keys td[data-label='Type']")).ToHaveTextAsync("security key"));
        await page.ExpectAsync("two sessions", () => Expect(page.Page.Locator("#account-sessions tbody tr")).ToHaveCountAsync(2));
        await page.ExpectTextAsync("#account-events", "signin.succeeded");
        await ConsoleChecks.CheckPageAsync(page, output, "the account pane at 1440 px");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Rename Blue key" }).ClickAsync();
        await page.Page.GetByLabel("New name for Blue key").FillAsync("Desk key");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.ExpectTextAsync("#message", "Key renamed to “Desk key”.");
        await page.ExpectTextAsync("#account-keys", "Desk key (signed in with it)");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Desk key" }).ClickAsync();
        await page.ExpectTextAsync("#message", "(last_key, HTTP");
        await page.ExpectTextAsync("#account-keys", "Desk key");

        await page.Page.SetViewportSizeAsync(360, 740);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "End all other sessions" }).ClickAsync();
        await page.ExpectTextAsync("#message", "1 other session(s) ended.");
        await page.ExpectTextAsync("#account-sessions", "No other session.");
        await page.ExpectAsync("one session", () => Expect(page.Page.Locator("#account-sessions tbody tr")).ToHaveCountAsync(1));
        await ConsoleChecks.CheckPageAsync(page, output, "the account pane at 360 px");
        await page.CheckAsync(() => Assert.Empty(errors));
    }

    [Fact]
    public async Task AccountPane_AddAKey_AsksForTheStepUpKeywardNamesThenRegistersTheNewKey()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await ConsolePage.WatchCspAsync(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");
        await page.GoToAsync("/console/#account");
        await page.ExpectTextAsync("#account-keys", "Blue key");

        // A second key plugged in, idle. Keyward refuses the first register/begin with step_up_required (key.add); the
        // registered key answers the step-up; then the new key makes the credential at the second begin (the registered
        // one would refuse, being in excludeCredentials).
        var first = page.AuthenticatorId!;
        var second = await VirtualKeys.AddIdleAuthenticatorAsync(page);
        var begins = 0;
        await page.Page.RouteAsync("**/api/register/begin", async route =>
        {
            if (Interlocked.Increment(ref begins) == 2)
            {
                await VirtualKeys.SetPresenceAsync(page, first, false);
                await VirtualKeys.SetPresenceAsync(page, second, true);
            }

            await route.ContinueAsync();
        });
        await page.Page.GetByLabel("New key name").FillAsync("Spare key");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Add a key" }).ClickAsync();

        await page.ExpectTextAsync("#message", "Key “Spare key” added.");
        await page.ExpectAsync("two keys listed", () => Expect(page.Page.Locator("#account-keys tbody tr")).ToHaveCountAsync(2));
        var paths = page.RequestedPaths.ToList();
        await page.CheckAsync(() =>
        {
            var firstBegin = paths.IndexOf("/api/register/begin");
            var stepUp = paths.IndexOf("/session/step-up/finish");
            Assert.True(firstBegin >= 0 && firstBegin < stepUp && stepUp < paths.LastIndexOf("/api/register/begin"), string.Join('\n', paths));
            Assert.Equal(2, begins);
        });
        await ConsoleChecks.CheckPageAsync(page, output, "the account pane after adding a key");
    }
}
