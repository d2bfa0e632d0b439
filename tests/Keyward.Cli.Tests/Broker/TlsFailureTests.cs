using Keyward.Testing;
using Keyward.Testing.Hosting;

namespace Keyward.Cli.Tests.Broker;

/// <summary>A client command against Keyward's local CA without <c>--cacert</c>: a one-line hint, exit 1 like any failed connection.</summary>
public sealed class TlsFailureTests : IDisposable
{
    private readonly TempDirectory _home = new("keyward-tls-hint-");

    [Fact]
    public async Task Status_LocalCaNotTrusted_SaysToPassCacertAndExitsOne()
    {
        await using var keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel });
        var tokenFile = _home.Combine("session");
        await File.WriteAllTextAsync(tokenFile, "kws_not-a-real-token");

        var (code, _, error) = await CommandLineRun.RunAsync("status", "--server", keyward.BaseAddress.ToString(), "--token-file", tokenFile);

        Assert.Equal(1, code);
        Assert.Equal(
            $"The server's certificate at 127.0.0.1:{keyward.Port} is not trusted: pass --cacert <data>/tls/ca.pem (Keyward's local CA, in its data directory).",
            error.TrimEnd());
    }

    public void Dispose() => _home.Dispose();
}
