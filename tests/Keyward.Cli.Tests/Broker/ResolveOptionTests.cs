using System.Net;
using Keyward.Client;

namespace Keyward.Cli.Tests.Broker;

/// <summary>
/// <c>--resolve HOST:ADDRESS</c> on the client commands, and the resolution under it: <c>*.localhost</c> is loopback,
/// explicit names go where they are told, everything else is DNS's.
/// </summary>
public sealed class ResolveOptionTests
{
    [Theory]
    [InlineData("status")]
    [InlineData("logout")]
    [InlineData("login")]
    [InlineData("register")]
    public void Parse_RepeatedResolve_IsAcceptedByEveryCommandThatTalksToAServer(string command)
    {
        var parse = KeywardCommandLine.Create().Parse([command, "--resolve", "keyward.example:10.0.0.5", "--resolve", "counter.example:[::1]"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["keyward.example:10.0.0.5", "counter.example:[::1]"], parse.GetValue<string[]>("--resolve")!);
    }

    [Theory]
    [InlineData("keyward.example", "must be HOST:ADDRESS")]
    [InlineData(":10.0.0.5", "must be HOST:ADDRESS")]
    [InlineData("bad host:10.0.0.5", "must be HOST:ADDRESS")]
    [InlineData("keyward.example:", "is not an IP address")]
    [InlineData("keyward.example:443:10.0.0.5", "is not an IP address")]
    [InlineData("keyward.example:not-an-address", "is not an IP address")]
    public async Task Run_MalformedResolve_IsAUsageErrorExitingTwo(string value, string expected)
    {
        var (code, _, error) = await CommandLineRun.RunAsync("status", "--resolve", value);

        Assert.Equal(2, code);
        Assert.Contains($"--resolve '{value}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("counter.localhost", "127.0.0.1")]
    [InlineData("A.B.LOCALHOST.", "127.0.0.1")]
    [InlineData("mapped.example", "10.0.0.5")]
    [InlineData("MAPPED.example", "10.0.0.5")]
    [InlineData("override.localhost", "10.0.0.6")]
    [InlineData("localhost.example", null)]
    [InlineData("notlocalhost", null)]
    [InlineData("keyward.example", null)]
    public void Resolve_Name_GoesToLoopbackTheMapOrDns(string host, string? expected)
    {
        var resolution = new HostResolution([new("mapped.example", IPAddress.Parse("10.0.0.5")), new("override.localhost", IPAddress.Parse("10.0.0.6"))]);

        Assert.Equal(expected, resolution.Resolve(host)?.ToString());
    }
}
