using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Demo;

/// <summary>The audit log a demo left behind, read as an operator would: exported and verified by the CLI, then scanned for secrets.</summary>
internal static partial class DemoAudit
{
    /// <summary>Exports the audit log of <paramref name="dataDirectory"/> to <paramref name="export"/>, verifies it with the CLI, and returns its events.</summary>
    public static async Task<List<JsonNode>> ExportAndVerifyAsync(string cli, string dataDirectory, string export)
    {
        var (exit, output) = await RealProcess.RunAsync(cli, ["audit", "export", "--data-dir", dataDirectory, "--out", export]);
        Assert.True(exit == 0, $"keyward audit export exited {exit}:\n{output}");
        (exit, output) = await RealProcess.RunAsync(cli, ["audit", "verify", export]);
        Assert.True(exit == 0, $"keyward audit verify exited {exit}:\n{output}");

        return File.ReadLines(export)
            .Select(line => JsonNode.Parse(line)!)
            .Where(line => (string?)line["type"] == "event")
            .Select(line => line["event"]!)
            .ToList();
    }

    /// <summary>
    /// No event holds anything shaped like a Keyward credential (session token, ticket, invite, agent key…) or like the
    /// demo's human-readable code (<paramref name="code"/>, named <paramref name="codeName"/>), whole or in part beyond
    /// the 8-character prefix a redaction keeps.
    /// </summary>
    public static void AssertNoSecrets(IEnumerable<JsonNode> events, Regex code, string codeName)
    {
        foreach (var e in events)
        {
            var text = e.ToJsonString();
            Assert.False(Credential().IsMatch(text), $"An audit event holds something shaped like a credential: {text}");
            Assert.False(code.IsMatch(text), $"An audit event holds something shaped like a {codeName}: {text}");
        }
    }

    /// <summary>Something shaped like a Keyward credential: <c>kw?_</c> and at least five more characters.</summary>
    [GeneratedRegex("kw[a-z]_[0-9A-Za-z]{5,}")]
    public static partial Regex Credential();
}
