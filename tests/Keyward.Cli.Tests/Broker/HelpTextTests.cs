using Keyward.Cli.Broker;

namespace Keyward.Cli.Tests.Broker;

/// <summary>Each command's help describes its own options (login's --username was register's text).</summary>
public sealed class HelpTextTests
{
    [Fact]
    public async Task LoginHelp_DescribesItsOwnUsername_NotRegistersSetupCode()
    {
        var (code, output, _) = await CommandLineRun.RunAsync("login", "--help");

        Assert.Equal(0, code);
        Assert.Contains("omit it for a passkey sign-in", output, StringComparison.Ordinal);
        Assert.DoesNotContain("setup-code", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterHelp_SaysTheUsernameIsRequiredWithASetupCode()
    {
        var (code, output, _) = await CommandLineRun.RunAsync("register", "--help");

        Assert.Equal(0, code);
        Assert.Contains("required with --setup-code", output, StringComparison.Ordinal);
        Assert.DoesNotContain("passkey sign-in", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("config", "check")]
    [InlineData("admin", "recover")]
    [InlineData("audit", "export")]
    public async Task Help_CommandsTakingSettings_ShowThemAsSettings_NotTheParsersAdditionalArguments(params string[] command)
    {
        var (code, output, _) = await CommandLineRun.RunAsync([.. command, "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("[<--Keyward:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("additional arguments", output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(output.Count(c => c == '['), output.Count(c => c == ']'));
    }

    [Fact]
    public async Task ConfigCheck_SettingAfterTheFile_IsStillCheckedWithIt()
    {
        using var directory = new Keyward.Testing.TempDirectory("keyward-help-");
        var file = Path.Combine(directory.Path, "keyward.json");
        await File.WriteAllTextAsync(file, "{}");

        var (code, _, error) = await CommandLineRun.RunAsync("config", "check", "--config", file, "--Keyward:Sessions:IdleTimeout=fifteen");

        Assert.Equal(2, code);
        Assert.Contains("Keyward:Sessions:IdleTimeout", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unknown option '--data-dri'", "serve", "--data-dri", "/nonexistent/typo")]
    [InlineData("Unknown option '--data-dir'", "serve", "--", "--data-dir", "/nonexistent/typo")]
    [InlineData("Unexpected 'extra'", "serve", "--Keyward:Listen=https://127.0.0.1:1", "extra")]
    [InlineData("has no value", "serve", "--Keyward:Listen")]
    public async Task Serve_ATokenThatIsNoSetting_IsAUsageErrorNotAnIgnoredSetting(string message, params string[] args)
    {
        var (code, _, error) = await CommandLineRun.RunAsync(args);

        Assert.NotEqual(0, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/nonexistent/typo"));
    }

    [Fact]
    public void Settings_SectionKeysWithOrWithoutEquals_AreAccepted() =>
        Assert.Null(SettingArguments.Problem(["--Keyward:Listen=https://127.0.0.1:9443", "--Logging:LogLevel:Default", "Warning", "--Keyward:Routes:a:Path=/a", "--environment=Development", "--Keyward:Storage:ConnectionString=Host=db;Database=k"]));
}
