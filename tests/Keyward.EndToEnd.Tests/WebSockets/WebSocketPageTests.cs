using Keyward.EndToEnd.Tests.Broker;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;

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

        // Signed out, the page cannot get another ticket, so no socket opens.
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Open echo socket" }).ClickAsync();
        await page.ExpectTextAsync("#echo-result", "session_missing");
        Assert.Equal(1, broker.UpstreamAccepted);
    }
}
