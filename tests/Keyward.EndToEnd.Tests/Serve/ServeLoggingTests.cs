using System.Text.Json;
using System.Text.RegularExpressions;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;
using Keyward.Testing;

namespace Keyward.EndToEnd.Tests.Serve;

/// <summary>
/// <c>keyward serve</c> as a real process: <c>--log-format json</c> writes one JSON object per log line (the setup-code
/// line is the one line for a person), the default level is Information, and nothing is written to the home directory
/// (ASP.NET Core Data Protection's key ring would go to <c>~/.aspnet</c>).
/// </summary>
public sealed partial class ServeLoggingTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new("keyward-serve-log-");

    [Fact]
    public async Task Serve_LogFormatJson_WritesOneJsonObjectPerLogLine_AndNothingIntoHome()
    {
        var home = Directory.CreateDirectory(Path.Combine(_root.Path, "home")).FullName;
        await using var server = RealProcess.Start(CliBinaries.Keyward(),
        [
            "serve", "--log-format", "json", "--data-dir", Path.Combine(_root.Path, "data"), "--listen", $"https://127.0.0.1:{FreePort.Next()}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}",
        ],
        new Dictionary<string, string> { ["HOME"] = home });

        await server.WaitForLineAsync(ListeningLine(), StartTimeout);
        await server.KillAsync();

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var logs = lines.Where(l => !l.StartsWith("No admin yet.", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("No admin yet.", StringComparison.Ordinal));
        Assert.True(logs.Count >= 3, server.Output);
        foreach (var line in logs)
        {
            using var entry = JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), line);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry.RootElement.GetProperty("Timestamp").GetString()!);
            Assert.NotEqual("Debug", entry.RootElement.GetProperty("LogLevel").GetString());
        }

        Assert.Empty(Directory.GetFileSystemEntries(home));
    }

    [Fact]
    public async Task Serve_LogFormatUnknown_IsAUsageErrorNamingTheChoices()
    {
        var (exit, output) = await RealProcess.RunAsync(CliBinaries.Keyward(), ["serve", "--log-format", "xml", "--data-dir", Path.Combine(_root.Path, "data")]);

        Assert.Equal(2, exit);
        Assert.Contains("'simple'", output, StringComparison.Ordinal);
        Assert.Contains("'json'", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "data")), "a usage error wrote the data directory");
    }

    [Fact]
    public async Task Serve_LogLevelDefaultWarning_LogsNothingBelowWarningWhileStarting()
    {
        // As deploy/keyward.service runs it (Logging__LogLevel__Default): the configured level holds for everything.
        await using var server = RealProcess.Start(CliBinaries.Keyward(),
        [
            "serve", "--data-dir", Path.Combine(_root.Path, "data"), "--listen", $"https://127.0.0.1:{FreePort.Next()}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}", "--Logging:LogLevel:Default=Warning",
        ]);

        // Printed once Keyward has started: the host's "Hosting starting", the new signing key and data protection's
        // key ring (Debug and Information) all come before it.
        await server.WaitForLineAsync(SetupCodeLine(), StartTimeout);

        var below = server.Output.Split('\n').Where(line => line.StartsWith("dbug:", StringComparison.Ordinal) || line.StartsWith("info:", StringComparison.Ordinal) || line.StartsWith("trce:", StringComparison.Ordinal)).ToList();
        Assert.True(below.Count == 0, "serve logged below the configured level:\n" + string.Join('\n', below));
    }

    public void Dispose() => _root.Dispose();

    [GeneratedRegex("and register the first key with setup code")]
    private static partial Regex SetupCodeLine();

    [GeneratedRegex("Now listening on: https://127\\.0\\.0\\.1:")]
    private static partial Regex ListeningLine();
}
