using System.Diagnostics;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Agent.Tests;

/// <summary>
/// The state directory and key file are the agent user's alone (review finding 6): a directory others may write, or a
/// key file others may read, or either owned by another user, is refused with the path and the chmod that fixes it.
/// </summary>
public sealed class StatePermissionsTests
{
    private const string Token = "kwe_ENROLLtokenSECRET0123456789";

    [Fact]
    public async Task EnrollAsync_ExistingStateDirectoryWritableByOthers_IsRefusedBeforeTheTokenIsSent()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        using var temp = new TempDirectory("keyward-agent-");
        var state = temp.Combine("state");
        Directory.CreateDirectory(state);
        File.SetUnixFileMode(state, (UnixFileMode)0x1FF); // 0777

        var result = await AgentEnrollment.EnrollAsync(keyward.Address, ca.WriteCaPem(temp.Path), Token, state);

        Assert.Equal("state_directory_unsafe", result.Code);
        Assert.Contains($"chmod 700 {state}", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, keyward.EnrollCalls);
    }

    [Fact]
    public async Task Load_KeyFileReadableByOthers_IsRefusedNamingThePathAndTheFix()
    {
        var (temp, state) = await EnrolledAsync();
        using var _ = temp;
        File.SetUnixFileMode(state.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0644

        var refused = Assert.Throws<AgentStateException>(() => AgentState.Load(state.Directory));

        Assert.Contains($"chmod 600 {state.KeyPath}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("0644", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kwa_", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadKey_KeyFileMadeGroupReadableAfterLoad_IsRefusedAtTheNextConnection()
    {
        var (temp, state) = await EnrolledAsync();
        using var _ = temp;
        var loaded = AgentState.Load(state.Directory);
        Assert.StartsWith("kwa_", loaded.ReadKey(), StringComparison.Ordinal);

        File.SetUnixFileMode(state.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead); // 0640

        Assert.Throws<AgentStateException>(loaded.ReadKey);
    }

    [Fact]
    public async Task Load_StateDirectoryWritableByGroup_IsRefused()
    {
        var (temp, state) = await EnrolledAsync();
        using var _ = temp;
        File.SetUnixFileMode(state.Directory, (UnixFileMode)0x1F8); // 0770

        var refused = Assert.Throws<AgentStateException>(() => AgentState.Load(state.Directory));

        Assert.Contains($"chmod 700 {state.Directory}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_StateDirectoryOrKeyOwnedByAnotherUser_IsRefused()
    {
        var (temp, state) = await EnrolledAsync();
        using var _ = temp;
        if (Environment.UserName != "root")
        {
            // Without root the test cannot give a file away; "/" is root's, and checked the same way.
            Assert.Contains("owned by uid 0", Assert.Throws<AgentStateException>(() => StatePermissions.CheckDirectory("/")).Message, StringComparison.Ordinal);
            return;
        }

        Chown("65534", state.KeyPath);
        Assert.Contains("owned by uid 65534", Assert.Throws<AgentStateException>(() => AgentState.Load(state.Directory)).Message, StringComparison.Ordinal);
        Chown("0", state.KeyPath);
        Chown("65534", state.Directory);
        Assert.Contains("owned by uid 65534", Assert.Throws<AgentStateException>(() => AgentState.Load(state.Directory)).Message, StringComparison.Ordinal);
        Chown("0", state.Directory);
        Assert.Equal(state.MachineId, AgentState.Load(state.Directory).MachineId);
    }

    private static async Task<(TempDirectory Temp, AgentState State)> EnrolledAsync()
    {
        using var ca = TestCa.Create();
        await using var keyward = await FakeKeyward.StartAsync(ca);
        var temp = new TempDirectory("keyward-agent-");
        var result = await AgentEnrollment.EnrollAsync(keyward.Address, ca.WriteCaPem(temp.Path), Token, temp.Combine("state"));
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal("m_test", AgentState.Load(result.State!.Directory).MachineId);
        return (temp, result.State);
    }

    private static void Chown(string uid, string path)
    {
        using var chown = Process.Start("chown", [uid, path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }
}
