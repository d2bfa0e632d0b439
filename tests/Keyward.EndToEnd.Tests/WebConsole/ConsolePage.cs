using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// What the console tests watch in a page beyond what it shows: Content-Security-Policy violations (a listener put in
/// before any of the page's own scripts), console errors, the frames the page sends on its WebSockets, and axe-core's
/// accessibility verdict.
/// </summary>
internal static class ConsolePage
{
    private static readonly Lazy<string> AxeSource = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Keyward.EndToEnd.Tests.Browser.axe.min.js")
            ?? throw new InvalidOperationException("axe.min.js is not embedded: see tests/Keyward.EndToEnd.Tests/Browser/vendor/axe-core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// Starts recording CSP violations in every document the page loads (read with <see cref="CspViolationsAsync"/>).
    /// A violation without a source file comes from code the test evaluated through DevTools (axe-core adds inline
    /// styles while it checks colour contrast, which the page's CSP rightly refuses): it is not the page's, and is left out.
    /// </summary>
    public static Task WatchCspAsync(IPage page) => page.AddInitScriptAsync(
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => { if (e.sourceFile) "
        + "window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`); });");

    /// <summary>
    /// Sets a style attribute on a span of the page outside any terminal, as the console's own code might by mistake,
    /// and says what the CSP made of it: the violated directive (or "none" when no violation came within 5 s) and the
    /// span's resulting inline colour ("" when the style was refused). terminal.js applies xterm's cell styles through the
    /// CSSOM; that must not reach spans that are not the terminal's.
    /// </summary>
    public static Task<string[]> StyleOnSpanOutsideTheTerminalAsync(IPage page) => page.EvaluateAsync<string[]>("""
        async () => {
          const recorded = window.__cspViolations?.length ?? 0;
          const span = document.createElement('span');
          document.body.append(span);
          const violation = new Promise(resolve => document.addEventListener('securitypolicyviolation', e => resolve(e.effectiveDirective), { once: true }));
          span.setAttribute('style', 'color: rgb(255, 0, 0)');
          const directive = await Promise.race([violation, new Promise(resolve => setTimeout(() => resolve('none'), 5000))]);
          const colour = span.style.color;
          span.remove();

          // This refusal is the test's own doing: keep it out of the page's record (WatchCspAsync), checked afterwards.
          // A task later, every listener of the event's dispatch has run (this continuation may have run in between).
          await new Promise(resolve => setTimeout(resolve, 0));
          window.__cspViolations?.splice(recorded);
          return [directive, colour];
        }
        """);

    public static Task<string[]> CspViolationsAsync(IPage page) => page.EvaluateAsync<string[]>("() => window.__cspViolations ?? ['the watcher did not run']");

    /// <summary>
    /// Uncaught exceptions in the page, from now on. (Console errors are not counted: Chromium logs every 401 and 403
    /// answer there, and the pages meet those on purpose; CSP refusals are watched by <see cref="WatchCspAsync"/>.)
    /// </summary>
    public static ConcurrentQueue<string> WatchUncaughtErrors(IPage page)
    {
        var errors = new ConcurrentQueue<string>();
        page.PageError += (_, error) => errors.Enqueue(error);
        return errors;
    }

    /// <summary>Text frames the page sends on any WebSocket, from now on.</summary>
    public static ConcurrentQueue<string> WatchSentTextFrames(IPage page)
    {
        var frames = new ConcurrentQueue<string>();
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            if (frame.Text is { } text)
            {
                frames.Enqueue(text);
            }
        };
        return frames;
    }

    /// <summary>
    /// Runs axe-core (vendored, evaluated through DevTools so the page's CSP stays as it is) on the page and returns its
    /// serious and critical violations as "rule: target, …" lines.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeriousAxeViolationsAsync(IPage page)
    {
        await page.EvaluateAsync(AxeSource.Value);
        var json = await page.EvaluateAsync<string>(
            "async () => JSON.stringify((await axe.run(document, { resultTypes: ['violations'] })).violations"
            + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            + ".map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))");
        return JsonSerializer.Deserialize<string[]>(json) ?? [];
    }

    /// <summary>How far the page is wider than its viewport (0 when nothing scrolls sideways).</summary>
    public static Task<int> HorizontalOverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)");
}
