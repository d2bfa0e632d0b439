using Keyward.Core.Accounts;
using Keyward.Core.Agents;
using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// The web console's frame and its support pane (issue 11 item 7, issue 14) in Chromium against the real Keyward and a
/// real agent: an admin signs in, opens the console, sees the enrolled machine, opens a support session and a terminal
/// in the browser, and a command's output comes back; a user the machine does not allow sees the refusal's code. Every
/// page is checked for CSP violations and with axe-core, at 1440 and 360 pixels wide.
/// </summary>
[Trait("Category", "Browser")]
public sealed class SupportPaneTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private static readonly float TimeoutMs = (float)BrowserSession.CeremonyTimeout.TotalMilliseconds;

    [Fact]
    public async Task SupportPane_Admin_OpensATerminalOnAnEnrolledMachineAndRunsACommand()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        await keyward.RunAgentAsync("build-box", AgentPolicies.Unattended, consent: true);
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(1440, 900);
        await ConsolePage.WatchCspAsync(page.Page);
        var errors = ConsolePage.WatchUncaughtErrors(page.Page);
        var sent = ConsolePage.WatchSentTextFrames(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");

        // The console: who is signed in, the navigation, and the support pane listing the machine as online.
        await page.GoToAsync("/console/#support");
        await page.ExpectTextAsync("#identity", "alice");
        await page.ExpectAsync("the Support link marked current", () => Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Support" })).ToHaveAttributeAsync("aria-current", "page"));
        await page.ExpectTextAsync("#support-machines", "build-box");
        await page.ExpectTextAsync("#support-machines", "online");
        await page.ExpectTextAsync("#support-machines", "unattended");
        await ConsoleChecks.CheckPageAsync(page, output, "the support pane at 1440 px");

        // Unattended (no consent asked): Keyward wants a step-up for the join, which the page performs with the key.
        await page.Page.GetByLabel("Reason").FillAsync("disk full on /var");
        await page.Page.GetByLabel("Ask the person at the machine to consent").UncheckAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open support session" }).ClickAsync();
        await page.ExpectTextAsync("#support-terminal-status", "Connected.");
        await page.ExpectTextAsync("#support-sessions", "disk full on /var");
        await page.CheckAsync(() => Assert.Contains("/session/step-up/finish", page.RequestedPaths));

        // Type into the terminal; the shell's answer comes back through Keyward (the typed line reads marker-$((6*7))).
        await page.Page.Locator("#support-terminal .xterm").ClickAsync();
        await page.Page.Keyboard.TypeAsync("echo marker-$((6*7))");
        await page.Page.Keyboard.PressAsync("Enter");
        await page.ExpectTextAsync("#support-terminal .xterm-rows", "marker-42");

        // A 24-bit colour makes xterm style a cell itself: still no CSP violation (see terminal.js).
        await page.Page.Keyboard.TypeAsync(@"printf '\033[38;2;255;0;0mtrue\033[0mcolour\n'");
        await page.Page.Keyboard.PressAsync("Enter");
        await page.ExpectTextAsync("#support-terminal .xterm-rows", "truecolour");

        // That shim is the terminal's alone: a span elsewhere on the page setting a style attribute still meets the CSP.
        var outside = await ConsolePage.StyleOnSpanOutsideTheTerminalAsync(page.Page);
        Assert.StartsWith("style-src", outside[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, outside[1]);

        // The terminal takes Tab; Ctrl+] is the keyboard's way out, to the Close button.
        await page.Page.Keyboard.PressAsync("Control+BracketRight");
        await page.ExpectAsync("focus on Close terminal", () => Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "Close terminal" })).ToBeFocusedAsync());
        await ConsoleChecks.CheckPageAsync(page, output, "the terminal at 1440 px");

        // Narrow the window: the terminal refits and the page sends the new size on the viewer socket.
        var before = sent.Count(f => f.Contains("\"resize\"", StringComparison.Ordinal));
        await page.Page.SetViewportSizeAsync(360, 740);
        await page.ExpectAsync("a resize frame sent after the window narrowed", async () =>
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(TimeoutMs);
            while (sent.Count(f => f.Contains("\"type\":\"resize\"", StringComparison.Ordinal)) <= before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(sent.Count(f => f.Contains("\"type\":\"resize\"", StringComparison.Ordinal)) > before, string.Join('\n', sent));
        });
        await ConsoleChecks.CheckPageAsync(page, output, "the terminal at 360 px");

        // Ending the session from the list ends the terminal, with the reason in words.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "End the support session on build-box" }).ClickAsync();
        await page.ExpectTextAsync("#support-terminal-status", "The support session has ended. (support_ended)");
        await page.CheckAsync(() => Assert.Empty(errors));

        // Sign-out from the frame: the console then offers the sign-in.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.ExpectTextAsync("#message", "Signed out.");
        await page.ExpectAsync("the sign-in link", () => Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your security key" })).ToBeVisibleAsync());
        await ConsoleChecks.CheckPageAsync(page, output, "the signed-out console at 360 px");
    }

    [Fact]
    public async Task SupportPane_UserTheMachineDoesNotAllow_SeesTheRefusalCode()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        var machineId = await keyward.RunAgentAsync("payroll-box", AgentPolicies.Attended, consent: true);
        var invite = await keyward.InviteAsync("bob", Roles.User);
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.Page.SetViewportSizeAsync(360, 740);
        await ConsolePage.WatchCspAsync(page.Page);
        await page.GoToAsync();
        await page.Page.GetByLabel("Invite", new() { Exact = true }).FillAsync(invite);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Register with invite" }).ClickAsync();
        await page.ExpectTextAsync("#message", "registered for bob (user)");
        await page.SignInAsync("bob", "bob");

        // No machine lets bob join: the pane lists none, says so, and takes a typed machine id instead.
        await page.GoToAsync("/console/#support");
        await page.ExpectTextAsync("#identity", "bob");
        await page.ExpectTextAsync("#support-machines", "No machine lets your account join it yet");
        await ConsoleChecks.CheckPageAsync(page, output, "the support pane for a user at 360 px");

        await page.Page.GetByLabel("Machine id").FillAsync(machineId.ToString());
        await page.Page.GetByLabel("Reason").FillAsync("curious");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open support session" }).ClickAsync();
        await page.ExpectTextAsync("#message", "(join_not_allowed, HTTP 403)");
        await page.ExpectTextAsync("#support-sessions", "No open support session.");
        await page.ExpectAsync("no terminal", () => Expect(page.Page.Locator("#support-terminal-section")).ToBeHiddenAsync());
        await ConsoleChecks.CheckPageAsync(page, output, "the refusal at 360 px");
    }

    [Fact]
    public async Task SupportPane_AttendedMachine_ShowsWaitingForConsentThenTheRefusal()
    {
        await using var keyward = await ConsoleHost.StartAsync();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await keyward.RunAgentAsync("front-desk", AgentPolicies.Attended, async (_, cancellationToken) =>
        {
            asked.TrySetResult();
            return await answer.Task.WaitAsync(cancellationToken);
        });
        await using var page = await SignInPage.OpenAsync(chromium, keyward.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await ConsolePage.WatchCspAsync(page.Page);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(keyward.SetupCode, "alice", "Blue key");
        await page.SignInAsync("alice", "alice");
        await page.GoToAsync("/console/#support");
        await page.ExpectTextAsync("#support-machines", "front-desk");

        // Attended (the default): no step-up, and the page waits while the person at the machine is asked.
        await page.Page.GetByLabel("Reason").FillAsync("printer queue stuck");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open support session" }).ClickAsync();
        await asked.Task.WaitAsync(BrowserSession.CeremonyTimeout);
        await page.ExpectTextAsync("#support-terminal-status", "Waiting for consent from the person at the machine");
        await page.CheckAsync(() => Assert.DoesNotContain("/session/step-up/begin", page.RequestedPaths));

        // The person declines: the page says so, and the session leaves the list of open ones.
        answer.SetResult(false);
        await page.ExpectTextAsync("#support-terminal-status", "The person at the machine declined. The support session has ended. (consent_denied)");
        await page.ExpectTextAsync("#support-sessions", "No open support session.");
        await ConsoleChecks.CheckPageAsync(page, output, "consent denied at 1280 px");
    }
}
