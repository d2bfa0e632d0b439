using Microsoft.Playwright;

namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>
/// One headless Debian Chromium per test class, driven by Playwright's bundled node driver. It never downloads a
/// browser: it launches /usr/bin/chromium, and fails (never skips) with the fix when that is missing.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium, installed by .ci/install-browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        // Without these, Chromium keeps calling Google services, which floods the closed network.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The launched browser.</summary>
    internal IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser did not start; see the fixture's error.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}. Run .ci/install-browser as root (it installs Debian's chromium); "
                + "the browser tests never download a browser.");
        }

        // Belt and braces: Playwright only downloads browsers from `playwright install`, but never let it try.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Args,
            Timeout = 60_000,
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
