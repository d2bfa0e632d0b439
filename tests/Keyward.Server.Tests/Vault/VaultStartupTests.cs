using System.Security.Cryptography;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;
using Keyward.Testing;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Tests.Vault;

/// <summary>
/// The vault when Keyward starts (docs/vault.md, "Start-up"): a fresh install without a key starts with the vault off;
/// keys that do not open the recorded epochs stop the start with a message naming the setting and the fix.
/// </summary>
public sealed class VaultStartupTests
{
    [Fact]
    public async Task Start_NoVaultKeyOnAFreshInstall_StartsAndThePlaneAnswersVaultNotConfigured()
    {
        await using var vault = await VaultHost.StartAsync(withKeys: false);
        var token = vault.Capabilities.Issue(CapabilityOperations.Read, "memory", vault.Actor, "a");
        var response = await vault.GetAsync(VaultDataClass.Memory, "a", token);
        VaultPlaneTests.AssertRefused(response, 503, "vault_not_configured");
        Assert.Empty(vault.Capabilities.Seen);
    }

    [Fact]
    public async Task Read_NoCapabilityVerifierRegistered_IsRefusedCapInvalid()
    {
        await using var vault = await VaultHost.StartAsync(verifier: false);
        var response = await vault.GetAsync(VaultDataClass.Memory, "a", "eyJ0ZXN0IjoxfQ.e30.sig");
        VaultPlaneTests.AssertRefused(response, 401, "cap_invalid");
    }

    [Fact]
    public async Task Read_SensitiveClassNoApprovalsRegistered_IsRefusedApprovalRequired()
    {
        await using var vault = await VaultHost.StartAsync(approvals: false);
        await vault.WriteAsync(VaultDataClass.Credential, "db", "pw");
        var response = await vault.GetAsync(VaultDataClass.Credential, "db", vault.Capabilities.Issue(CapabilityOperations.Read, "credential", vault.Actor, "db"));
        VaultPlaneTests.AssertRefused(response, 403, "approval_required");
    }

    [Fact]
    public async Task Start_EpochRecordedButItsKeyRemoved_FailsNamingTheSetting()
    {
        var vault = await VaultHost.StartAsync();
        await vault.WriteAsync(VaultDataClass.Memory, "a", "x");
        using var data = await vault.StopAsync();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => VaultHost.StartAsync(withKeys: false, dataDirectory: data.Path));
        Assert.StartsWith("Keyward:Vault:Keys:1 is not set, but epoch 1 is current", Assert.Single(failure.Failures), StringComparison.Ordinal);
        Assert.DoesNotContain("\n", Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AnotherKeyForARecordedEpoch_FailsNamingTheSetting()
    {
        var vault = await VaultHost.StartAsync();
        using var data = await vault.StopAsync();

        // VaultHost makes a new random key: not the one epoch 1 was created with.
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => VaultHost.StartAsync(dataDirectory: data.Path));
        Assert.StartsWith("Keyward:Vault:Keys:1 holds another key", Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyFileOpenToOthers_FailsNamingTheSettingAndTheFix()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are Unix
        }

        using var dir = new TempDirectory("keyward-kek-");
        var file = Path.Combine(dir.Path, "kek-1.key");
        await File.WriteAllTextAsync(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => VaultHost.StartAsync(withKeys: false, settings: new() { ["Keyward:Vault:Keys:1:File"] = file }));
        Assert.StartsWith("Keyward:Vault:Keys:1:File", Assert.Single(failure.Failures), StringComparison.Ordinal);
        Assert.Contains("chmod 600", Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyFileOwnerOnly_StartsAndCreatesEpochOne()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are Unix
        }

        using var dir = new TempDirectory("keyward-kek-");
        var file = Path.Combine(dir.Path, "kek-1.key");
        await File.WriteAllTextAsync(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using var vault = await VaultHost.StartAsync(withKeys: false, settings: new() { ["Keyward:Vault:Keys:1:File"] = file });
        Assert.Equal(1, await vault.WriteAsync(VaultDataClass.Memory, "a", "x"));
    }
}
