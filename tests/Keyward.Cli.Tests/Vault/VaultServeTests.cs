using System.Security.Cryptography;
using Keyward.Cli.Tests.Broker;
using Keyward.Testing;

namespace Keyward.Cli.Tests.Vault;

/// <summary><c>keyward serve</c> with a vault key it must not use: one line naming the setting and the fix, no stack trace, exit 2.</summary>
public sealed class VaultServeTests
{
    [Fact]
    public async Task Serve_VaultKeyFileOpenToOthers_NamesTheSettingAndTheFixWithoutAStackTrace()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // file modes are Unix
        }

        using var data = new TempDirectory("keyward-serve-vault-");
        using var keys = new TempDirectory("keyward-serve-kek-");
        var file = keys.Combine("kek-1.key");
        await File.WriteAllTextAsync(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var (code, _, error) = await CommandLineRun.RunAsync(
            "serve", "--data-dir", data.Path, "--listen", $"https://127.0.0.1:{Keyward.Client.FreePort.Next()}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{Keyward.Client.FreePort.Next()}", $"--Keyward:Vault:Keys:1:File={file}");

        Assert.Equal(2, code);
        Assert.StartsWith("Keyward:Vault:Keys:1:File: the key file", error, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vault", "rekey")]
    [InlineData("vault", "epochs")]
    public async Task Help_ServerSideVaultCommands_ShowTheirSettings(params string[] command)
    {
        var (code, output, _) = await CommandLineRun.RunAsync([.. command, "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("[<--Keyward:", output, StringComparison.Ordinal);
        Assert.Contains("--data-dir", output, StringComparison.Ordinal);
    }
}
