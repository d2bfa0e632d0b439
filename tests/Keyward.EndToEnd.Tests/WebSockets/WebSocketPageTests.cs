using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.WebSockets;

/// <summary>
/// Chromium opens a ticketed WebSocket through Keyward's own page: the page asks for a ticket, upgrades with it,
/// exchanges a message with the echo service behind Keyward; signing out closes the socket with 4401.
/// </summary>
public sealed class WebSocketPageTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private const string Admin = "ada";

    [Fact]
    public async Task SignInPage_OpenEchoSocket_ExchangesMessagesAndSignOutClosesIt4401()
    {
        await using var broker = await EchoBroker.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.SignInAsync(Admin, Admin);

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open echo socket" }).ClickAsync();
        await page.ExpectTextAsync("#echo-result", "Echoed: hello from the page");
        await page.ExpectTextAsync("#echo-status", "Socket open.");
        Assert.Equal(1, broker.UpstreamAccepted);

        await page.SignOutAsync();
        await page.ExpectTextAsync("#echo-status", "Socket closed: 4401 session ended: logged_out");

        // Signed out, the page no longer offers the socket, and cannot get another ticket, so no socket opens.
        await page.ExpectAsync("the echo section hidden", () => Expect(page.Page.Locator("#echo")).ToBeHiddenAsync());
        var status = await page.Page.EvaluateAsync<int>(
            "async () => (await fetch('/api/auth/ws-ticket', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{\"route\":\"echo\"}' })).status");
        Assert.Equal(401, status);
        Assert.Equal(1, broker.UpstreamAccepted);
    }

    [Fact]
    public async Task AppHost_PageOpensSocketWithItsAppCookieAndSignOutOnKeywardClosesIt4401()
    {
        await using var broker = await EchoBroker.StartAsync();
        await using var page = await SignInPage.OpenAsync(chromium, broker.Origin, VirtualAuthenticator.Ctap2SecurityKey, output);
        await page.GoToAsync();
        await page.RegisterFirstAdminAsync(broker.SetupCode, Admin, "Blue key");
        await page.SignInAsync(Admin, Admin);

        // The app page, reached through the handoff, opens a socket to its own host: the app cookie and its own origin.
        var app = await page.Page.Context.NewPageAsync();
        await app.GotoAsync(broker.AppOrigin + "/");
        await page.ExpectAsync("the app page on its own host", () => app.WaitForURLAsync(broker.AppOrigin + "/"));
        await page.ExpectAsync("the echo", () => Expect(app.Locator("#echo-result")).ToHaveTextAsync("Echoed: hello from the app"));
        await page.ExpectAsync("the socket open", () => Expect(app.Locator("#echo-status")).ToHaveTextAsync("Socket open."));
        Assert.Equal(1, broker.UpstreamAccepted);

        // Signing out on Keyward's origin ends the parent session, and with it the app cookie's socket.
        await page.SignOutAsync();
        await page.ExpectAsync("the socket closed", () => Expect(app.Locator("#echo-status")).ToHaveTextAsync("Socket closed: 4401 session ended: logged_out"));

        // A fresh socket from the app page is refused: its cookie's parent session has ended (no 101).
        var reopened = await app.EvaluateAsync<int>("""
            () => new Promise(resolve => {
              const socket = new WebSocket(`ws://${location.host}/resource/echo`);
              socket.onopen = () => resolve(-1);
              socket.onclose = event => resolve(event.code);
            })
            """);
        Assert.Equal(1006, reopened);
        Assert.Equal(1, broker.UpstreamAccepted);
    }
}
