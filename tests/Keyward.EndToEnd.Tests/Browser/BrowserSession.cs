using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>
/// One test's browser side: a fresh context and page on the host's origin, with a DevTools virtual authenticator
/// attached, and every console message kept for failure messages.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>The most one ceremony may take, end to end (the relying party's own timeout is 30 s).</summary>
    public static readonly TimeSpan CeremonyTimeout = TimeSpan.FromSeconds(45);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IBrowserContext _context;
    private readonly WebAuthnTestHost _host;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _console = new();

    private BrowserSession(IBrowserContext context, IPage page, WebAuthnTestHost host, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        _host = host;
        _output = output;
        page.Console += (_, message) => _console.Enqueue($"[{message.Type}] {message.Text}");
        page.PageError += (_, error) => _console.Enqueue($"[pageerror] {error}");
        page.Crash += (_, _) => _console.Enqueue("[crash] the page crashed");
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>
    /// Opens a page on the host with the given virtual authenticator attached. Every ceremony's result is written to
    /// <paramref name="output"/> (visible with <c>--logger "console;verbosity=detailed"</c>).
    /// </summary>
    public static async Task<BrowserSession> OpenAsync(ChromiumFixture chromium, WebAuthnTestHost host, VirtualAuthenticator authenticator, ITestOutputHelper output)
    {
        var context = await chromium.Browser.NewContextAsync();
        try
        {
            context.SetDefaultTimeout((float)CeremonyTimeout.TotalMilliseconds);
            var page = await context.NewPageAsync();
            var session = new BrowserSession(context, page, host, output);
            output.WriteLine($"{authenticator} at {host.Origin}");

            // The virtual authenticator belongs to this page's tab; a fresh context per test means a fresh key.
            var cdp = await context.NewCDPSessionAsync(page);
            await cdp.SendAsync("WebAuthn.enable");
            await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", authenticator.ToCdpParams());

            await page.GotoAsync(host.Origin + "/");
            return session;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>Runs window.register() in the page.</summary>
    public Task<CeremonyOutcome> RegisterAsync() => RunAsync("register");

    /// <summary>Runs window.login() in the page.</summary>
    public Task<CeremonyOutcome> SignInAsync() => RunAsync("login");

    /// <summary>Reads window.lastResult once the page has one for <paramref name="ceremony"/> (after a button click).</summary>
    public Task<CeremonyOutcome> WaitForResultAsync(string ceremony) =>
        WithinTimeoutAsync($"the {ceremony} result after a click", async () =>
        {
            await Page.WaitForFunctionAsync("kind => window.lastResult && window.lastResult.ceremony === kind", ceremony);
            return await Page.EvaluateAsync<string>("() => JSON.stringify(window.lastResult)");
        });

    /// <summary>
    /// Runs assertions on an outcome; when one fails, its message is extended with the page's result, the
    /// credential JSON the browser sent and the console, so a CI failure explains itself.
    /// </summary>
    public void Check(CeremonyOutcome outcome, Action<CeremonyOutcome> assertions)
    {
        try
        {
            assertions(outcome);
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\n{Describe(outcome)}");
        }
    }

    /// <summary>The diagnostics included in failure messages.</summary>
    public string Describe(CeremonyOutcome outcome) =>
        $"Page result: {outcome.Raw}\n"
        + $"Last credential JSON posted: {_host.LastCredentialJson ?? "(none)"}\n"
        + $"Console ({_console.Count} messages):\n  {string.Join("\n  ", _console)}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private Task<CeremonyOutcome> RunAsync(string ceremony) =>
        WithinTimeoutAsync($"window.{ceremony}()", () => Page.EvaluateAsync<string>($"async () => JSON.stringify(await window.{ceremony}())"));

    private async Task<CeremonyOutcome> WithinTimeoutAsync(string what, Func<Task<string>> run)
    {
        string json;
        try
        {
            // Playwright's own timeouts do not cover evaluate(); bound it here so a hung ceremony fails the test.
            json = await run().WaitAsync(CeremonyTimeout);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"{what} did not finish within {CeremonyTimeout.TotalSeconds} s.\n{Describe(new CeremonyOutcome { Raw = "(none)" })}");
        }

        return Parse(json);
    }

    private CeremonyOutcome Parse(string json)
    {
        _output.WriteLine(json);
        return (JsonSerializer.Deserialize<CeremonyOutcome>(json, Json) ?? throw new XunitException("The page returned null.")) with { Raw = json };
    }
}
