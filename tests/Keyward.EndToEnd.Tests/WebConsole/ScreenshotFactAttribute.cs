namespace Keyward.EndToEnd.Tests.WebConsole;

/// <summary>
/// A fact that runs only when <c>KEYWARD_SCREENSHOTS_DIR</c> names where to write (scripts/console-screenshots.sh sets
/// it); the test command skips it, so it never changes tracked files.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScreenshotFactAttribute : FactAttribute
{
    /// <summary>The variable that names the output directory.</summary>
    public const string Variable = "KEYWARD_SCREENSHOTS_DIR";

    public ScreenshotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"Regenerates docs/console/: run scripts/console-screenshots.sh (sets {Variable}).";
        }
    }
}
