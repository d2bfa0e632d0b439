using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Demo;

/// <summary>
/// <c>keyward demo</c> as a real process: Keyward and the counter on loopback with TLS, the whole sign-in flow,
/// 200 counter calls at parallelism 32 whose values must be unique and gap-free, sign-out, then 401; then the audit
/// log it left is exported, verified, and scanned for secrets.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DemoProcessTests
{
    [Fact]
    public async Task Demo_200RequestsAtParallelism32_PassesWithUniqueGapFreeValuesAndAnIntactSecretFreeAuditLog()
    {
        var cli = CliBinaries.Keyward();
        var data = Directory.CreateTempSubdirectory("keyward-demo-test-");
        try
        {
            var (exit, output) = await RunAsync(cli, "demo", "--requests", "200", "--parallelism", "32", "--data-dir", data.FullName);
            Assert.True(exit == 0, $"keyward demo exited {exit}:\n{output}");
            Assert.Contains("Demo passed.", output, StringComparison.Ordinal);
            Assert.Contains("values 1..200", output, StringComparison.Ordinal);
            Assert.Contains("after sign-out: 401 session_logged_out", output, StringComparison.Ordinal);
            Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);

            // Not a terminal: a line at each quarter and a closing line, never a half-drawn progress bar.
            Assert.Contains("    200 of 200", output, StringComparison.Ordinal);
            Assert.Contains("✓ 200 counter calls, 32 at a time", output, StringComparison.Ordinal);
            Assert.DoesNotContain("%", output, StringComparison.Ordinal);

            // The demo logs at Warning: a clean run has nothing to warn about (Data Protection's unencrypted-key warning was one).
            Assert.DoesNotContain("warn:", output, StringComparison.Ordinal);

            // The demo prints no session token (only its own report).
            Assert.DoesNotContain("kws_", output, StringComparison.Ordinal);

            // The audit log the run left behind: exported and verified by the CLI, as an operator would.
            var events = await DemoAudit.ExportAndVerifyAsync(cli, data.FullName, Path.Combine(data.FullName, "audit.jsonl"));
            var actions = events.Select(e => (string)e["action"]!).ToHashSet();
            Assert.Superset(
                new HashSet<string> { "setup_code.issued", "key.registered", "setup_code.used", "signin.succeeded", "session.created", "websocket.ticket_issued", "websocket.opened", "session.ended", "websocket.closed", "proxy.denied" },
                actions);

            // No secret in any event: nothing shaped like a Keyward credential or a setup code.
            DemoAudit.AssertNoSecrets(events, SetupCode(), "setup code");
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string cli, params string[] args) => RealProcess.RunAsync(cli, args);

    [GeneratedRegex("(?<![0-9A-Za-z-])[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}(?![0-9A-Za-z-])")]
    private static partial Regex SetupCode();
}
