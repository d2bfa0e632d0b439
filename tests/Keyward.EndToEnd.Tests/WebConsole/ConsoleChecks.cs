using Keyward.EndToEnd.Tests.Broker;
using Xunit.Abstractions;

namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>The checks every console page passes, wherever a test stops to look.</summary>
internal static class ConsoleChecks
{
    /// <summary>No CSP violation so far, no serious or critical axe violation, nothing wider than the window.</summary>
    public static async Task CheckPageAsync(SignInPage page, ITestOutputHelper output, string what)
    {
        var violations = await ConsolePage.CspViolationsAsync(page.Page);
        var axe = await ConsolePage.SeriousAxeViolationsAsync(page.Page);
        var overflow = await ConsolePage.HorizontalOverflowAsync(page.Page);
        output.WriteLine($"{what}: {violations.Length} CSP violations, {axe.Count} serious or critical axe violations, {overflow} px overflow");
        await page.CheckAsync(() =>
        {
            Assert.True(violations.Length == 0, $"CSP violations on {what}:\n{string.Join('\n', violations)}");
            Assert.True(axe.Count == 0, $"axe on {what}:\n{string.Join('\n', axe)}");
            Assert.True(overflow == 0, $"{what} scrolls sideways by {overflow} px");
        });
    }
}
