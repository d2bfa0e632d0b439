using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Issue 9 items 3 and 8 on the real sign-in page in Chromium: adding a key performs a step-up with an existing key
/// first, and a recovery code (shown once at first registration) registers a new key on a new device once, never twice.
/// </summary>
[Trait("Category", "Browser")]
public sealed class StepUpAndRecoveryPageTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Admin = "alice";

    [Fact]
    public async Task SignInPage_RecoveryCode_RegistersANewKeyOnceAndNeverTwice()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        string code;
        await using (var first = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output))
        {
            await first.GoToAsync();
            await first.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Lost key");
            await first.ExpectAsync("ten recovery codes shown once", () => Expect(first.Page.Locator("#recovery-code-list li")).ToHaveCountAsync(10));
            code = await first.Page.Locator("#recovery-code-list li").First.TextContentAsync() ?? string.Empty;
            await first.CheckAsync(() => Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code));
        }

        // A new device (a new browser and key): the recovery code registers a key for the account, which then signs in.
        await using (var replacement = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output))
        {
            await replacement.GoToAsync();
            await UseRecoveryCodeAsync(replacement, code, "Replacement key");
            await replacement.ExpectTextAsync("#message", $"registered for {Admin} (admin)");
            await replacement.ExpectAsync("no new codes for an existing account", () => Expect(replacement.Page.Locator("#recovery-codes")).ToBeHiddenAsync());
            await replacement.SignInAsync(Admin, Admin);
            await replacement.ExpectTextAsync("#key-list", "Replacement key");
        }

        // The same code again, from yet another device: refused, nothing registered.
        await using var thief = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await thief.GoToAsync();
        await UseRecoveryCodeAsync(thief, code, "Thief key");
        await thief.ExpectTextAsync("#message", "(recovery_code_invalid, HTTP 401)");
        await thief.CheckAsync(() => Assert.DoesNotContain("/api/register/finish", thief.RequestedPaths));
    }

    [Fact]
    public async Task SignInPage_AddKey_PerformsAStepUpWithAnExistingKeyFirst()
    {
        await using var upstream = await CounterUpstream.StartAsync();
        await using var broker = await BrokerHost.StartAsync(upstream);
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.SignInAsync(Admin, Admin);
        var first = page.AuthenticatorId!;

        // A second key plugged in, idle: the step-up must be answered by the registered key, the new one then makes the
        // credential (the registered key would refuse it, being in excludeCredentials).
        var second = await AddAuthenticatorAsync(page, presence: false);
        await page.Page.RouteAsync("**/api/register/begin", async route =>
        {
            await SetPresenceAsync(page, first, false);
            await SetPresenceAsync(page, second, true);
            await route.ContinueAsync();
        });
        await page.Page.GetByLabel("New key name").FillAsync("Second key");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Add a key" }).ClickAsync();

        await page.ExpectTextAsync("#message", $"Key “Second key” registered for {Admin} (admin)");
        await page.ExpectAsync("two keys listed", () => Expect(page.Page.Locator("#key-list li")).ToHaveCountAsync(2));
        var paths = page.RequestedPaths.ToList();
        await page.CheckAsync(() =>
        {
            var stepUp = paths.IndexOf("/session/step-up/finish");
            Assert.True(stepUp >= 0 && stepUp < paths.LastIndexOf("/api/register/begin"), string.Join('\n', paths));
        });
    }

    private static async Task UseRecoveryCodeAsync(SignInPage page, string code, string keyName)
    {
        var form = page.Page.Locator("#recovery-form");
        await form.GetByLabel("Account").FillAsync(Admin);
        await form.GetByLabel("Recovery code").FillAsync(code);
        await form.GetByLabel("Key name").FillAsync(keyName);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Register with recovery code" }).ClickAsync();
    }

    private static async Task<string> AddAuthenticatorAsync(SignInPage page, bool presence)
    {
        var parameters = VirtualAuthenticator.Ctap2SecurityKey.ToCdpParams();
        ((Dictionary<string, object>)parameters["options"])["automaticPresenceSimulation"] = presence;
        var result = await page.Cdp!.SendAsync("WebAuthn.addVirtualAuthenticator", parameters);
        return result!.Value.GetProperty("authenticatorId").GetString()!;
    }

    private static async Task SetPresenceAsync(SignInPage page, string authenticatorId, bool enabled) =>
        await page.Cdp!.SendAsync("WebAuthn.setAutomaticPresenceSimulation", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId, ["enabled"] = enabled });
}
