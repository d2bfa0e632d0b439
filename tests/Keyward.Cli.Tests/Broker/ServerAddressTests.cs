namespace Keyward.Cli.Tests.Broker;

/// <summary>The client commands' <c>--server</c>: any absolute https URL; anything else a usage error, exit 2.</summary>
public sealed class ServerAddressTests
{
    [Theory]
    [InlineData("https://localhost:9443")]
    [InlineData("https://keyward.example.org")]
    [InlineData("http://127.0.0.1:5080")]
    public void Parse_HttpsOrLoopbackHttp_IsAccepted(string address)
    {
        var parse = KeywardCommandLine.Create().Parse(["status", "--server", address]);

        Assert.Empty(parse.Errors);
        Assert.Equal(new Uri(address), parse.GetValue<Uri>("--server"));
    }

    [Theory]
    [InlineData("ftp://x", "must be an https URL")]
    [InlineData("http://keyward.example.org", "must be an https URL")]
    [InlineData("not a url", "is not an absolute URL")]
    public async Task Run_ServerNotAnHttpsUrl_IsAUsageErrorExitingTwo(string address, string expected)
    {
        var (code, _, error) = await CommandLineRun.RunAsync("status", "--server", address);

        Assert.Equal(2, code);
        Assert.Contains($"--server '{address}' {expected}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
