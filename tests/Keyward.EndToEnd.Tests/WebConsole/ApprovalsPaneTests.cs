using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Quorum;
using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// The console's approvals pane (issue 12, item 6) in Chromium against the real Keyward: bob proposes two operations
/// and approves one with his virtual key; alice reviews them in plain words with their digest, approves the first with
/// the browser's key (WebAuthn get over the operation's challenge), which completes the 2-of-2 quorum, and denies the
/// second. CSP violations and axe-core are checked at 1440 and 360 pixels wide.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ApprovalsPaneTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task ApprovalsPane_ApproveWithTheKeyCompletesTheQuorum_DenyEndsTheOther()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(page.Page);
        var errors = ConsolePage.WatchUncaughtErrors(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");

        using var bob = new KeywardTestClient(keyward.Host);
        var bobKey = KeywardTestClient.NewKey();
        await bob.RegisterWithInviteAsync(await keyward.InviteAsync("bob", "user"), bobKey);
        var bobSession = await bob.LoginAsync("bob", bobKey);
        var accounts = keyward.Services.GetRequiredService<AccountService>();
        var alice = (await accounts.FindAccountAsync("alice"))!.Id;
        var bobId = (await accounts.FindAccountAsync("bob"))!.Id;
        var policy = await keyward.Services.GetRequiredService<ApprovalPolicyService>().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "quorum",
            Kinds = [OperationKind.ChangeThreshold],
            Groups = [new ApprovalGroupDraft("security", 2, [alice, bobId])],
        });
        var body = new JsonObject { ["kind"] = "change_threshold", ["target"] = policy.Value.Id.ToString(), ["parameters"] = new JsonObject { ["group"] = "security", ["threshold"] = "1" } };
        var first = (await bob.PostAsync("/api/approvals", body, bobSession.Token)).Json.GetProperty("id").GetGuid();
        var other = new JsonObject { ["kind"] = "change_threshold", ["target"] = policy.Value.Id.ToString(), ["parameters"] = new JsonObject { ["group"] = "security", ["threshold"] = "2" } };
        var second = (await bob.PostAsync("/api/approvals", other, bobSession.Token)).Json.GetProperty("id").GetGuid();
        var begun = await bob.PostAsync($"/api/approvals/{first}/vote/begin", token: bobSession.Token);
        var signed = bobKey.GetAssertion(begun.Json.GetProperty("public_key").GetRawText(), bob.Origin);
        Assert.Equal(200, (await bob.PostAsync($"/api/approvals/{first}/vote/finish", new JsonObject { ["credential"] = JsonNode.Parse(signed) }, bobSession.Token)).StatusCode);

        await page.GoToAsync("/console/#approvals");
        await page.ExpectTextAsync("#approvals-awaiting", "Set the threshold of group security of approval policy quorum");
        await page.ExpectAsync("two requests awaiting", () => Expect(page.Page.Locator("#approvals-awaiting tbody tr")).ToHaveCountAsync(2));
        await ConsoleChecks.CheckPageAsync(page, output, "the approvals pane at 1440 px");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Approve: Set the threshold of group security of approval policy quorum (" + policy.Value.Id + ") to 1." }).ClickAsync();
        await page.ExpectTextAsync("#message", "Approved: the quorum is complete and the operation was applied.");
        await page.Page.SetViewportSizeAsync(360, 740);
        await ConsoleChecks.CheckPageAsync(page, output, "the approvals pane at 360 px");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Deny: Set the threshold of group security of approval policy quorum (" + policy.Value.Id + ") to 2." }).ClickAsync();
        await page.ExpectTextAsync("#message", "Denied");
        await page.ExpectTextAsync("#approvals-awaiting", "Nothing awaits your vote.");

        var applied = (await bob.GetAsync($"/api/approvals/{first}", bobSession.Token)).Json.GetProperty("state").GetString();
        var denied = (await bob.GetAsync($"/api/approvals/{second}", bobSession.Token)).Json.GetProperty("state").GetString();
        await page.CheckAsync(() =>
        {
            Assert.Equal("applied", applied);
            Assert.Equal("denied", denied);
            Assert.Empty(errors);
        });
    }
}
