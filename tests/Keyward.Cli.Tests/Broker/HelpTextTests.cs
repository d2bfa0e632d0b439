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
}
