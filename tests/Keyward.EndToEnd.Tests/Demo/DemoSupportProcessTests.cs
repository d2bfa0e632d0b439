using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyward.Core.Agents;
using Keyward.Core.Support;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Demo;

/// <summary>
/// <c>keyward demo support</c> as a real process (issue 11, item 10): Keyward, an enrolled agent and an ad-hoc agent as
/// child processes, consent given and denied, a TCP forward and a terminal, the confusion checks, sign-out closing the
/// viewer. It must pass every planned step, leave no agent running, and leave an intact audit log without a secret;
/// and it must fail, non-zero, when a step fails, with the steps after it reported as not run.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DemoSupportProcessTests
{
    // The demo's plan (src/Keyward.Cli/Broker/SupportDemo.cs), written out: each must print as passed.
    private static readonly string[] Steps =
    [
        "start Keyward (TLS, loopback)",
        "register the admin's virtual key (setup code)",
        "sign in (WebAuthn assertion)",
        "create an enroll token (admin step-up)",
        "agent enrolls with the token (child process)",
        "enrolled agent runs and connects (child process)",
        "open an attended support session for the machine",
        "viewer waits for consent, nothing relayed",
        "the person at the machine consents",
        "TCP forward: 256 KiB echoed end to end, checked",
        "terminal: a command runs on the machine, output checked",
        "open an ad-hoc support session (support code)",
        "login token on the viewer plane: 401",
        "join token of session A on session B: 403 join_wrong_session",
        "login token as agent key: 401",
        "garbage on the viewer and agent planes: 401",
        "ad-hoc agent binds with the support code (child process)",
        "the person at the machine denies: viewer closed 4403",
        "ad-hoc agent stops when its session ends",
        "support code is single use: a second agent is refused",
        "viewer open on the machine (active)",
        "sign out",
        "viewer socket closed by sign-out (4401)",
        "login token refused after sign-out: 401",
        "revoked join token (minted before sign-out): 401",
    ];

    [Fact]
    public async Task DemoSupport_RealProcesses_PassesEveryPlannedStep_LeavesNoAgentRunning_AndAnIntactSecretFreeAuditLog()
    {
        var cli = CliBinaries.Keyward();
        var data = Directory.CreateTempSubdirectory("keyward-demo-support-test-");
        try
        {
            var (exit, output) = await RealProcess.RunAsync(cli, ["demo", "support", "--data-dir", data.FullName]);

            Assert.True(exit == 0, $"keyward demo support exited {exit}:\n{output}");
            foreach (var step in Steps)
            {
                Assert.Matches(new Regex($"(?m)^  ✓ {Regex.Escape(step)} \\(\\d+ ms\\)$"), output);
            }

            Assert.Contains($"{Steps.Length} of {Steps.Length} planned steps passed; 0 not run.", output, StringComparison.Ordinal);
            Assert.Contains("Demo passed.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
            Assert.DoesNotContain("NOT RUN", output, StringComparison.Ordinal);
            Assert.DoesNotContain("✗", output, StringComparison.Ordinal);

            // The refusals are the ones the issue names, with their stable codes.
            Assert.Contains("login token on the viewer plane: 401 join_token_invalid", output, StringComparison.Ordinal);
            Assert.Contains("join token of session A on session B: 403 join_wrong_session", output, StringComparison.Ordinal);
            Assert.Contains("login token as agent key: 401 agent_key_invalid", output, StringComparison.Ordinal);
            Assert.Contains("join token minted before sign-out: 401 join_token_revoked", output, StringComparison.Ordinal);
            Assert.Contains("login token after sign-out: 401 session_logged_out", output, StringComparison.Ordinal);

            // No credential in what the demo prints: no token, key or support code.
            Assert.False(DemoAudit.Credential().IsMatch(output), $"The demo printed something shaped like a credential:\n{output}");
            Assert.False(SupportCode().IsMatch(output), $"The demo printed something shaped like a support code:\n{output}");

            // Its children are gone: no process still names the demo's directory (the agents run with --state-dir in it).
            Assert.Empty(ProcessTable.Naming(data.FullName));

            var events = await DemoAudit.ExportAndVerifyAsync(cli, Path.Combine(data.FullName, "keyward"), Path.Combine(data.FullName, "audit.jsonl"));
            Assert.Superset(
                new HashSet<string>
                {
                    AgentAuditActions.EnrollTokenCreated, AgentAuditActions.Enrolled, AgentAuditActions.Connected, AgentAuditActions.KeyRefused,
                    SupportAuditActions.SessionOpened, SupportAuditActions.CodeIssued, SupportAuditActions.CodeConsumed, SupportAuditActions.CodeRefused,
                    SupportAuditActions.JoinMinted, SupportAuditActions.JoinUsed, SupportAuditActions.JoinRefused, SupportAuditActions.JoinRevoked,
                    SupportAuditActions.ConsentAsked, SupportAuditActions.ConsentGiven, SupportAuditActions.ConsentDenied,
                    SupportAuditActions.RelayOpened, SupportAuditActions.RelayClosed, SupportAuditActions.SessionEnded,
                },
                events.Select(e => (string)e["action"]!).ToHashSet());
            DemoAudit.AssertNoSecrets(events, SupportCode(), "support code");
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task DemoSupport_AStepFails_ExitsNonZero_ReportsTheRestAsNotRun_AndStillCleansUp()
    {
        // A real failure, not a test hook: the agent's terminal runs $SHELL, and /bin/false exits at once, so the
        // terminal step never sees its command's output. Everything before it passes; everything after it must not count.
        var cli = CliBinaries.Keyward();
        var data = Directory.CreateTempSubdirectory("keyward-demo-support-fail-");
        try
        {
            var (exit, output) = await RealProcess.RunAsync(cli, ["demo", "support", "--data-dir", data.FullName], new Dictionary<string, string> { ["SHELL"] = "/bin/false" });

            Assert.True(exit == 1, $"keyward demo support exited {exit}, expected 1:\n{output}");
            var failed = Array.IndexOf(Steps, "terminal: a command runs on the machine, output checked");
            foreach (var step in Steps[..failed])
            {
                Assert.Matches(new Regex($"(?m)^  ✓ {Regex.Escape(step)} \\(\\d+ ms\\)$"), output);
            }

            Assert.Contains($"  ✗ {Steps[failed]}: the terminal never", output, StringComparison.Ordinal);
            foreach (var step in Steps[(failed + 1)..])
            {
                Assert.DoesNotMatch(new Regex($"(?m)^  ✓ {Regex.Escape(step)} "), output);
            }

            Assert.Contains($"{failed} of {Steps.Length} planned steps passed; {Steps.Length - failed - 1} not run.", output, StringComparison.Ordinal);
            Assert.Contains("NOT RUN", output, StringComparison.Ordinal);
            Assert.Contains("Demo failed.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Demo passed.", output, StringComparison.Ordinal);
            Assert.Empty(ProcessTable.Naming(data.FullName));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [GeneratedRegex("(?<![0-9A-Za-z-])[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}(?![0-9A-Za-z-])")]
    private static partial Regex SupportCode();
}
