using System.CommandLine;
using System.Text.Json;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Cli;
using Keyward.Cli.Agent;
using Keyward.Testing;

namespace Keyward.Agent.Tests.Cli;

public sealed class AgentCommandTests
{
    private const string Token = "kwe_CLItokenSECRET0123456789";

    [Fact]
    public async Task Enroll_Accepted_SavesTheStateAndNeverPrintsTheTokenOrKey()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        using var temp = new TempDirectory("keyward-agent-cli-");
        var state = temp.Combine("state");

        var (code, output, error) = await RunAsync("agent", "enroll", "--server", keyward.Address.ToString(), "--cacert", ca.WriteCaPem(temp.Path), "--token", Token, "--state-dir", state);

        Assert.Equal(0, code);
        Assert.Contains("Enrolled as machine m_test", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kwe_", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("kwa_", output + error, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state, "agent.key")));
    }

    [Fact]
    public async Task Enroll_TokenExpired_ExitsOneWithTheCodeAndWhatToDo()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        keyward.EnrollAnswer = (401, """{"status":401,"code":"enroll_token_expired"}""");
        using var temp = new TempDirectory("keyward-agent-cli-");

        var (code, _, error) = await RunAsync("agent", "enroll", "--server", keyward.Address.ToString(), "--cacert", ca.WriteCaPem(temp.Path), "--token", Token, "--state-dir", temp.Combine("state"));

        Assert.Equal(1, code);
        Assert.Contains("401 enroll_token_expired", error, StringComparison.Ordinal);
        Assert.Contains("ask an admin for a new one", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_NoToken_IsAUsageError()
    {
        using var ca = TestCa.Create();
        using var temp = new TempDirectory("keyward-agent-cli-");

        var (code, _, error) = await RunAsync("agent", "enroll", "--server", "https://localhost:1", "--cacert", ca.WriteCaPem(temp.Path), "--state-dir", temp.Combine("state"));

        Assert.Equal(2, code);
        Assert.Contains("--token", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterEnroll_ShowsTheMachineTheServerAndTheKeyFileMode()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        using var temp = new TempDirectory("keyward-agent-cli-");
        var state = temp.Combine("state");
        Assert.Equal(0, (await RunAsync("agent", "enroll", "--server", keyward.Address.ToString(), "--cacert", ca.WriteCaPem(temp.Path), "--token", Token, "--state-dir", state)).Code);

        var (code, output, _) = await RunAsync("agent", "status", "--state-dir", state, "--json");

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("m_test", document.RootElement.GetProperty("machine_id").GetString());
        Assert.Equal(keyward.Address.ToString(), document.RootElement.GetProperty("server").GetString());
        Assert.Equal("0600", document.RootElement.GetProperty("key_file_mode").GetString());
        Assert.DoesNotContain("kwa_", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KeyRefused_ExitsWithTheRevokedCodeAndSaysWhy()
    {
        await using var harness = await AgentHarness.StartAsync();
        harness.Keyward.RefuseConnect = 401;

        var (code, _, error) = await RunAsync("agent", "run", "--state-dir", harness.State.Directory, "--consent", "deny");

        Assert.Equal(AgentCommands.KeyRevokedExitCode, code);
        Assert.Contains("revoked", error, StringComparison.Ordinal);
        Assert.Equal(1, harness.Keyward.ConnectCalls);
    }

    [Theory]
    [InlineData("accept", true)]
    [InlineData("deny", false)]
    public async Task Run_ScriptedConsent_AnswersAsTold(string consent, bool accepted)
    {
        await using var harness = await AgentHarness.StartAsync();
        using var stop = new CancellationTokenSource();
        var run = RunAsync(stop.Token, "agent", "run", "--state-dir", harness.State.Directory, "--consent", consent, "--allow-port", "22");
        var socket = await harness.NextConnectionAsync();
        await socket.HelloAsync();

        await socket.SendJsonAsync("""{"type":"consent","request":"r9","session":"s9","technician":"bob","reason":"disk full","timeout_seconds":60}""");
        var result = await socket.ExpectAsync("consent_result");

        Assert.Equal(accepted, result.GetProperty("accepted").GetBoolean());
        await stop.CancelAsync();
        harness.Keyward.AbortAll();
        Assert.Equal(0, (await run.WaitAsync(TimeSpan.FromSeconds(30))).Code);
    }

    [Fact]
    public async Task Run_PortOutOfRange_IsAUsageError()
    {
        var (code, _, error) = await RunAsync("agent", "run", "--allow-port", "70000");

        Assert.Equal(2, code);
        Assert.Contains("70000", error, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    private static async Task<(int Code, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeywardCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
