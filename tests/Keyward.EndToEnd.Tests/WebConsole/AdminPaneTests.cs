using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// The console's admin pane and the journey of issue 14 item 5 in Chromium against the real Keyward: the first admin
/// registers and invites a user from the console (the test reads the invite from the page), the user registers with
/// their own virtual authenticator in a second browser context, signs in, adds a second key with step-up; the admin
/// disables the user and the user's open console shows it is signed out. A user sees no admin pane and the admin
/// endpoints refuse them. CSP violations, axe-core and overflow are checked at 1440 and 360 pixels wide.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AdminPaneTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    // A route to show on the routes section, with a credential in its upstream address that must not reach the page.
    private static readonly Dictionary<string, string> Routes = new()
    {
        ["Keyward:Routes:grafana:Path"] = "/grafana/{**rest}",
        ["Keyward:Routes:grafana:Upstream"] = "http://viewer:route-password@127.0.0.1:9/",
        ["Keyward:Routes:grafana:Role"] = "admin",
        ["Keyward:Routes:grafana:WebSocket:Enabled"] = "true",
    };

    // What the admin endpoints answer the page's own session (the cookie), as "status code" lines.
    private const string AdminReads = """
        async () => Promise.all(['/api/admin/accounts', '/api/admin/invites', '/api/admin/routes', '/api/admin/signing-keys'].map(async path => {
          const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
          const body = await response.json().catch(() => ({}));
          return `${path} ${response.status} ${body.code ?? ''}`.trim();
        }))
        """;

    [Fact]
    public async Task Journey_AdminInvitesFromTheConsole_UserRegistersAddsAKey_AdminDisablesThem_TheirOpenPageShowsSignedOut()
    {
        await using var keyward = await ConsoleHost.StartAsync(Routes);
        await using var admin = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await admin.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(admin.Page);
        var adminErrors = ConsolePage.WatchUncaughtErrors(admin.Page);
        await admin.GoToAsync();
        await admin.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Admin key");
        await admin.SignInAsync("alice", "alice");

        // The admin pane: accounts, routes (no credential from the upstream address), signing keys.
        await admin.GoToAsync("/console/#admin");
        await admin.ExpectAsync("the Admin pane open", () => Expect(admin.Page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveAttributeAsync("aria-current", "page"));
        await admin.ExpectTextAsync("#admin-accounts", "alice (you)");
        await admin.ExpectTextAsync("#admin-routes", "http://127.0.0.1:9/");
        await admin.ExpectTextAsync("#admin-routes", "/grafana/{**rest}");
        await admin.ExpectTextAsync("#admin-signing-keys", "current (signs now)");
        var paneText = await admin.Page.Locator("#pane").InnerTextAsync();
        await admin.CheckAsync(() => Assert.DoesNotContain("route-password", paneText, StringComparison.Ordinal));

        // Invite bob from the page: the admin step-up Keyward asks for runs, the invite is shown once with its QR code.
        await admin.Page.GetByLabel("Account name").FillAsync("bob");
        await admin.Page.Locator("#admin-invite-role").SelectOptionAsync("user");
        await admin.Page.GetByLabel("Expires after").SelectOptionAsync("3600");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create the invite" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "Invite for bob created.");
        var link = await admin.Page.Locator("#admin-invite-link").InputValueAsync();
        var qrPath = await admin.Page.Locator("#admin-invite-once svg path").GetAttributeAsync("d");
        var qrLabel = await admin.Page.Locator("#admin-invite-once svg").GetAttributeAsync("aria-label");
        await admin.CheckAsync(() =>
        {
            Assert.StartsWith($"{keyward.Origin}/#invite=kwi_", link, StringComparison.Ordinal);
            Assert.Matches("^(M\\d+ \\d+h\\d+v1h-\\d+z)+$", qrPath);
            Assert.Equal("QR code of the invite link for bob", qrLabel);
        });
        await admin.ExpectTextAsync("#admin-invite-list", "bob");
        await admin.ExpectAsync("the step-up before the invite", () => Task.Run(() => Assert.Contains("/session/step-up/finish", admin.RequestedPaths)));
        await ConsoleChecks.CheckPageAsync(admin, output, "the admin pane at 1440 px");
        await admin.Page.SetViewportSizeAsync(360, 740);
        await ConsoleChecks.CheckPageAsync(admin, output, "the admin pane at 360 px");

        // Bob, in his own browser context with his own key, opens the link: the sign-in page takes the invite from the
        // fragment (and out of the address bar), he registers and signs in.
        await using var user = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await user.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(user.Page);
        await user.GoToAsync(link[keyward.Origin.Length..]);
        await user.ExpectAsync("the invite filled in", () => Expect(user.Page.Locator("#invite-token")).ToHaveValueAsync(link[(link.IndexOf('=') + 1)..]));
        await user.CheckAsync(() => Assert.DoesNotContain("kwi_", user.Page.Url, StringComparison.Ordinal));
        await user.Page.Locator("#invite-form").GetByLabel("Key name").FillAsync("Bob's key");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Register with invite" }).ClickAsync();
        await user.ExpectTextAsync("#message", "registered for bob (user)");
        await user.SignInAsync("bob", "bob");

        // His console: no admin pane, and the admin endpoints refuse his session.
        await user.GoToAsync("/console/#account");
        await user.ExpectTextAsync("#account-keys", "Bob's key");
        await user.ExpectAsync("no Admin link", () => Expect(user.Page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0));
        var refused = await user.Page.EvaluateAsync<string[]>(AdminReads);
        await user.CheckAsync(() => Assert.All(refused, line => Assert.EndsWith(" 403 role_required", line, StringComparison.Ordinal)));

        // A second key, with the step-up Keyward asks for (the first key confirms, the new one registers).
        var first = user.AuthenticatorId!;
        var second = await VirtualKeys.AddIdleAuthenticatorAsync(user);
        var begins = 0;
        await user.Page.RouteAsync("**/api/register/begin", async route =>
        {
            if (Interlocked.Increment(ref begins) == 2)
            {
                await VirtualKeys.SetPresenceAsync(user, first, false);
                await VirtualKeys.SetPresenceAsync(user, second, true);
            }

            await route.ContinueAsync();
        });
        await user.Page.GetByLabel("New key name").FillAsync("Bob's spare key");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Add a key" }).ClickAsync();
        await user.ExpectTextAsync("#message", "Key “Bob's spare key” added.");
        await user.ExpectAsync("two keys listed", () => Expect(user.Page.Locator("#account-keys tbody tr")).ToHaveCountAsync(2));
        await VirtualKeys.SetPresenceAsync(user, first, true);
        await ConsoleChecks.CheckPageAsync(user, output, "bob's account pane");

        // The admin disables bob from the console (refreshing the pane lists him).
        await admin.Page.SetViewportSizeAsync(1440, 900);
        await admin.GoToAsync("/console/#account");
        await admin.GoToAsync("/console/#admin");
        await admin.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("bo");
        await admin.ExpectAsync("only bob listed", () => Expect(admin.Page.Locator("#admin-account-list tbody tr")).ToHaveCountAsync(1));
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Disable bob" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "bob is disabled;");
        await admin.ExpectTextAsync("#admin-account-list", "disabled");

        // Bob's open page, untouched by the test, finds out on its own (focus, visibility or its interval check).
        await user.Page.BringToFrontAsync();
        await user.ExpectAsync("bob's console signed out", () => Expect(user.Page.Locator("#signed-out")).ToBeVisibleAsync(new() { Timeout = 60_000 }));
        await user.ExpectTextAsync("#message", "session_account_disabled");
        await user.ExpectAsync("no pane left", () => Expect(user.Page.Locator("#account-keys")).ToHaveCountAsync(0));
        await ConsoleChecks.CheckPageAsync(user, output, "bob's signed-out console");
        await admin.CheckAsync(() => Assert.Empty(adminErrors));
    }

    [Fact]
    public async Task AdminPane_CopiesTheInviteLinkOnce_RevokesTheInvite_EndsSessionsAndReEnablesAnAccount()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var admin = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await ConsolePage.WatchCspAsync(admin.Page);
        await admin.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = keyward.Origin });
        await admin.GoToAsync();
        await admin.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Admin key");
        await admin.SignInAsync("alice", "alice");
        await admin.GoToAsync("/console/#admin");
        await admin.ExpectTextAsync("#admin-invite-list", "No pending invite.");

        await admin.Page.GetByLabel("Account name").FillAsync("carol");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create the invite" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "Invite for carol created.");
        var link = await admin.Page.Locator("#admin-invite-link").InputValueAsync();
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Copy the link" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "Invite link copied.");
        var copied = await admin.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        await admin.CheckAsync(() => Assert.Equal(link, copied));

        // Hidden, the invite is gone from the page: it is shown once.
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Done (hide it)" }).ClickAsync();
        var html = await admin.Page.ContentAsync();
        await admin.CheckAsync(() => Assert.DoesNotContain("kwi_", html, StringComparison.Ordinal));

        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke the invite for carol" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "The invite for carol is revoked.");
        await admin.ExpectTextAsync("#admin-invite-list", "No pending invite.");

        // Bob (invited outside the console) is signed in elsewhere; the admin ends his sessions, disables and enables him.
        var invite = await keyward.InviteAsync("bob", "user");
        await using var user = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await user.GoToAsync($"/#invite={invite}");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Register with invite" }).ClickAsync();
        await user.ExpectTextAsync("#message", "registered for bob (user)");
        await user.SignInAsync("bob", "bob");

        await admin.GoToAsync("/console/#account");
        await admin.GoToAsync("/console/#admin");
        await admin.Page.Locator("#admin-account-role").SelectOptionAsync("user");
        await admin.ExpectAsync("only bob listed", () => Expect(admin.Page.Locator("#admin-account-list tbody tr")).ToHaveCountAsync(1));
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "End sessions of bob" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "1 session(s) of bob ended.");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Disable bob" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "bob is disabled; 0 session(s) ended.");
        await admin.Page.Locator("#admin-account-state").SelectOptionAsync("disabled");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Enable bob" }).ClickAsync();
        await admin.ExpectTextAsync("#message", "bob is enabled.");
        await admin.ExpectTextAsync("#admin-account-list", "No account matches.");
        await ConsoleChecks.CheckPageAsync(admin, output, "the admin pane after the changes");
    }
}
