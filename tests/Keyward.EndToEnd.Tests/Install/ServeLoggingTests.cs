using System.Text.RegularExpressions;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;
using Keyward.Testing;

namespace Keyward.EndToEnd.Tests.Install;

/// <summary>
/// <c>keyward serve</c> as a service runs it (deploy/keyward.service sets <c>Logging__LogLevel__Default</c>): the
/// configured log level holds for everything it logs, so the journal gets no Debug lines.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class ServeLoggingTests : IDisposable
{
    private readonly TempDirectory _data = new("keyward-serve-logging-");

    [Fact]
    public async Task Serve_LogLevelDefaultWarning_LogsNothingBelowWarningWhileStarting()
    {
        await using var server = RealProcess.Start(CliBinaries.Keyward(),
        [
            "serve", "--data-dir", _data.Path, "--listen", $"https://127.0.0.1:{FreePort.Next()}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}", "--Logging:LogLevel:Default=Warning",
        ]);

        // Printed once Keyward has started: the host's "Hosting starting", the new signing key and data protection's
        // key ring (Debug and Information) all come before it.
        await server.WaitForLineAsync(SetupCodeLine(), TimeSpan.FromSeconds(60));

        var below = server.Output.Split('\n').Where(line => line.StartsWith("dbug:", StringComparison.Ordinal) || line.StartsWith("info:", StringComparison.Ordinal) || line.StartsWith("trce:", StringComparison.Ordinal)).ToList();
        Assert.True(below.Count == 0, "serve logged below the configured level:\n" + string.Join('\n', below));
    }

    public void Dispose() => _data.Dispose();

    [GeneratedRegex("and register the first key with setup code")]
    private static partial Regex SetupCodeLine();
}
