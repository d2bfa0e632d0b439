using System.Text.Json;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Agent.Tests;

public sealed class EnrollmentTests
{
    private const string Key = "kwa_TESTKEYtestkey0123456789abcdefABCDEF";
    private const string Token = "kwe_ENROLLtokenSECRET0123456789";

    [Fact]
    public async Task EnrollAsync_Accepted_WritesKeyFileWithMode0600AndNeverLogsTheKeyOrToken()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        using var temp = new TempDirectory("keyward-agent-");
        var caFile = ca.WriteCaPem(temp.Path);
        var log = new CapturingLogger();

        var result = await AgentEnrollment.EnrollAsync(keyward.Address, caFile, Token, temp.Combine("state"), log);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal("Bearer " + Token, keyward.LastAuthorization);
        var state = result.State!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state.Directory));
        Assert.Equal(Key, File.ReadAllText(state.KeyPath).Trim());
        Assert.Equal(ca.CaPem, File.ReadAllText(state.CaPath));
        var saved = AgentState.Load(state.Directory);
        Assert.Equal("m_test", saved.MachineId);
        Assert.Equal(keyward.Address, saved.Server);
        Assert.DoesNotContain(Key, File.ReadAllText(Path.Combine(state.Directory, AgentState.StateFileName)), StringComparison.Ordinal);

        Assert.Contains(log.Lines, l => l.EventId == AgentEventIds.Enrolled);
        Assert.DoesNotContain("kwa_", log.All, StringComparison.Ordinal);
        Assert.DoesNotContain("kwe_", log.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrollAsync_TokenExpired_ReturnsTheCodeAndWritesNothing()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        keyward.EnrollAnswer = (401, """{"status":401,"code":"enroll_token_expired"}""");
        using var temp = new TempDirectory("keyward-agent-");

        var result = await AgentEnrollment.EnrollAsync(keyward.Address, ca.WriteCaPem(temp.Path), Token, temp.Combine("state"));

        Assert.False(result.Succeeded);
        Assert.Equal(401, result.Status);
        Assert.Equal("enroll_token_expired", result.Code);
        Assert.Contains("expired", result.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("state")));
    }

    [Fact]
    public async Task EnrollAsync_ServerCertificateFromAnotherCa_RefusedBeforeTheTokenIsSent()
    {
        using var serverCa = TestCa.Create("Keyward CA");
        using var otherCa = TestCa.Create("Someone else's CA");
        await using var keyward = await FakeKeyward.StartAsync(serverCa);
        using var temp = new TempDirectory("keyward-agent-");

        var result = await AgentEnrollment.EnrollAsync(keyward.Address, otherCa.WriteCaPem(temp.Path), Token, temp.Combine("state"));

        Assert.False(result.Succeeded);
        Assert.Equal("tls_untrusted", result.Code);
        Assert.Equal(0, keyward.EnrollCalls);
        Assert.False(Directory.Exists(temp.Combine("state")));
    }

    [Fact]
    public async Task EnrollAsync_StateDirectoryAlreadyEnrolled_RefusedWithoutSpendingTheToken()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        using var temp = new TempDirectory("keyward-agent-");
        var caFile = ca.WriteCaPem(temp.Path);
        Assert.True((await AgentEnrollment.EnrollAsync(keyward.Address, caFile, Token, temp.Combine("state"))).Succeeded);

        var again = await AgentEnrollment.EnrollAsync(keyward.Address, caFile, Token, temp.Combine("state"));

        Assert.Equal("already_enrolled", again.Code);
        Assert.Equal(1, keyward.EnrollCalls);
    }

    [Fact]
    public async Task EnrollAsync_AnswerWithoutAnAgentKey_IsRefusedAndNothingSaved()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        keyward.EnrollAnswer = (200, JsonSerializer.Serialize(new { machine_id = "m_1", agent_key = "kws_notanagentkey" }));
        using var temp = new TempDirectory("keyward-agent-");

        var result = await AgentEnrollment.EnrollAsync(keyward.Address, ca.WriteCaPem(temp.Path), Token, temp.Combine("state"));

        Assert.Equal("bad_answer", result.Code);
        Assert.False(File.Exists(temp.Combine("state", AgentState.KeyFileName)));
    }
}
