using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Agents;
using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// Screenshots of every console pane for docs/console/ (scripts/console-screenshots.sh; skipped by the test command).
/// A Keyward with demo data (an admin, a user, an enrolled machine online) in Chromium with the virtual authenticator;
/// every pane GET /console/panes.json lists is saved as <c>{pane}-360.png</c> and <c>{pane}-1440.png</c>, seen by an
/// admin, or by a user when the pane is not for admins, so panes added later are picked up without an edit here.
/// </summary>
[Trait("Category", "Screenshots")]
public sealed class ConsoleScreenshots(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private static readonly (int Width, int Height)[] Sizes = [(360, 740), (1440, 900)];

    [ScreenshotFact]
    public async Task Screenshots_EveryPane_AtBothWidths()
    {
        var directory = Environment.GetEnvironmentVariable(ScreenshotFactAttribute.Variable)!;
        Directory.CreateDirectory(directory);
        await using var keyward = await ConsoleHost.StartAsync();
        await keyward.RunAgentAsync("build-box", AgentPolicies.Attended, consent: true);
        var invite = await keyward.InviteAsync("bob", Roles.User);

        await using var admin = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await admin.GoToAsync();
        await admin.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await admin.SignInAsync("alice", "alice");

        await using var user = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await user.GoToAsync();
        await user.Page.GetByLabel("Invite", new() { Exact = true }).FillAsync(invite);
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Register with invite" }).ClickAsync();
        await user.ExpectTextAsync("#message", "registered for bob (user)");
        await user.SignInAsync("bob", "bob");

        var listed = await admin.Page.EvaluateAsync<JsonElement>("() => fetch('/console/panes.json').then(r => r.json())");
        var saved = new List<string>();
        foreach (var pane in listed.GetProperty("panes").EnumerateArray())
        {
            var id = pane.GetProperty("id").GetString()!;
            var roles = pane.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToList();
            var page = roles.Contains(Roles.Admin) ? admin : roles.Contains(Roles.User) ? user : null;
            if (page is null)
            {
                output.WriteLine($"{id}: for roles {string.Join(", ", roles)}, which the demo does not sign in as; not saved");
                continue;
            }

            foreach (var (width, height) in Sizes)
            {
                await page.Page.SetViewportSizeAsync(width, height);

                // A query string makes it a fresh load (a hash alone would not wait for the pane).
                await page.GoToAsync($"/console/?screenshot={Uri.EscapeDataString(id)}#{id}");
                await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                var file = Path.Combine(directory, $"{id}-{width}.png");
                await page.Page.ScreenshotAsync(new() { Path = file, FullPage = true, Animations = ScreenshotAnimations.Disabled });
                saved.Add(Path.GetFileName(file));
            }
        }

        output.WriteLine($"Saved to {directory}: {string.Join(", ", saved)}");
        Assert.NotEmpty(saved);
    }
}
