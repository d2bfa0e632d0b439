using System.Collections.Concurrent;
using Keyward.EndToEnd.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;
using static Microsoft.Playwright.Assertions;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// Keyward's own sign-in page (wwwroot) in a fresh browser context with a DevTools virtual authenticator, driven the
/// way a person would: fill labelled fields, click buttons, read what the page shows. Every expectation that fails
/// carries the page's URL, its message line and its console. (<see cref="BrowserSession"/> is bound to the
/// WebAuthn test host's pages, so this is its counterpart for the broker.)
/// </summary>
internal sealed class SignInPage : IAsyncDisposable
{
    private static readonly float TimeoutMs = (float)BrowserSession.CeremonyTimeout.TotalMilliseconds;

    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _console = new();

    private SignInPage(IBrowserContext context, IPage page, string origin, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        Origin = origin;
        _output = output;
        page.Console += (_, message) => _console.Enqueue($"[{message.Type}] {message.Text}");
        page.PageError += (_, error) => _console.Enqueue($"[pageerror] {error}");
        page.Crash += (_, _) => _console.Enqueue("[crash] the page crashed");
        page.FrameNavigated += (_, frame) =>
        {
            if (frame.ParentFrame is null)
            {
                _console.Enqueue($"[navigated] {frame.Url}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The DevTools session that holds the page's virtual authenticators.</summary>
    public ICDPSession? Cdp { get; private set; }

    /// <summary>The DevTools id of the virtual authenticator the page opened with.</summary>
    public string? AuthenticatorId { get; private set; }

    /// <summary>The paths the page requested, in order (for checking which ceremony ran first).</summary>
    public ConcurrentQueue<string> RequestedPaths { get; } = new();

    public string Origin { get; }

    public static async Task<SignInPage> OpenAsync(ChromiumFixture chromium, string origin, VirtualAuthenticator authenticator, ITestOutputHelper output)
    {
        var context = await chromium.Browser.NewContextAsync();
        try
        {
            context.SetDefaultTimeout(TimeoutMs);
            var page = await context.NewPageAsync();
            var session = new SignInPage(context, page, origin, output);
            output.WriteLine($"{authenticator} at {origin}");
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("WebAuthn.enable");
            var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", authenticator.ToCdpParams());
            session.Cdp = cdp;
            session.AuthenticatorId = added?.GetProperty("authenticatorId").GetString();
            page.Request += (_, request) => session.RequestedPaths.Enqueue(new Uri(request.Url).AbsolutePath);
            return session;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>Opens a path of the origin and waits until the page has loaded its state.</summary>
    public async Task GoToAsync(string path = "/")
    {
        await Page.GotoAsync(Origin + path);
        await ExpectAsync($"the page at {path} to finish loading", () => Expect(Page.Locator("#main")).Not.ToHaveAttributeAsync("aria-busy", "true", new() { Timeout = TimeoutMs }));
    }

    public async Task RegisterFirstAdminAsync(string setupCode, string username, string keyName)
    {
        await Page.GetByLabel("Setup code").FillAsync(setupCode);
        await Page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await Page.Locator("#setup-form").GetByLabel("Key name").FillAsync(keyName);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Register with setup code" }).ClickAsync();
        await ExpectTextAsync("#message", $"registered for {username} (admin)");
    }

    /// <summary>Signs in with a username, or a discoverable credential when it is empty; does not wait for the result.</summary>
    public async Task StartSignInAsync(string username)
    {
        await Page.GetByLabel("Username (optional").FillAsync(username);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>Signs in and waits for the session panel to show the account.</summary>
    public async Task SignInAsync(string username, string expectedAccount)
    {
        await StartSignInAsync(username);
        await ExpectTextAsync("#status-account", expectedAccount, exact: true);
    }

    public async Task SignOutAsync()
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await ExpectTextAsync("#message", "Signed out.");
        await ExpectAsync("the sign-in form to come back", () => Expect(Page.Locator("#signed-out")).ToBeVisibleAsync(new() { Timeout = TimeoutMs }));
    }

    public Task ExpectTextAsync(string selector, string text, bool exact = false) =>
        ExpectAsync($"{selector} to show \"{text}\"", () => exact
            ? Expect(Page.Locator(selector)).ToHaveTextAsync(text, new() { Timeout = TimeoutMs })
            : Expect(Page.Locator(selector)).ToContainTextAsync(text, new() { Timeout = TimeoutMs }));

    /// <summary>Runs an expectation; when it fails, the message says what the page showed and logged.</summary>
    public async Task ExpectAsync(string what, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or XunitException)
        {
            throw new XunitException($"Expected {what}.\n{e.Message}\n{await DescribeAsync()}");
        }
    }

    /// <summary>Runs plain assertions with the page's state added to a failure.</summary>
    public async Task CheckAsync(Action assertions)
    {
        try
        {
            assertions();
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\n{await DescribeAsync()}");
        }
    }

    public async Task<string> DescribeAsync()
    {
        string message;
        try
        {
            message = await Page.Locator("#message").TextContentAsync(new() { Timeout = 1000 }) ?? "(none)";
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            message = "(no message element: the page is not Keyward's)";
        }

        return $"Page URL: {Page.Url}\nPage message: {message}\nConsole ({_console.Count} messages):\n  {string.Join("\n  ", _console)}";
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
