using System.Text.Json.Nodes;
using Keyward.Cli.Broker;

namespace Keyward.Cli.Tests.Broker;

/// <summary>What the CLI prints as JSON is written as Keyward's answers are: '+' and non-ASCII as themselves (issue 10, item 9).</summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void Show_TimestampsAndNames_AreNotEscaped()
    {
        var shown = SessionCommands.Show(new JsonObject
        {
            ["expires_at"] = DateTimeOffset.Parse("2026-12-07T17:19:05.318+00:00", System.Globalization.CultureInfo.InvariantCulture),
            ["account"] = "José",
        });

        Assert.Contains("\"2026-12-07T17:19:05.318+00:00\"", shown, StringComparison.Ordinal);
        Assert.Contains("\"José\"", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", shown, StringComparison.Ordinal);
    }
}
