using System.Net;
using System.Net.Sockets;
using Keyward.Testing;

namespace Keyward.Cli.Tests.Broker;

/// <summary><c>keyward serve</c> misconfigured: one line per problem naming the setting and the fix, no stack trace, exit 2.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _data = new("keyward-serve-");

    [Fact]
    public async Task Serve_DurationNotATimeSpan_NamesTheSettingAndItsForm()
    {
        var (code, _, error) = await ServeAsync("--Keyward:Sessions:IdleTimeout=fifteen");

        Assert.Equal(2, code);
        Assert.Equal(
            "Keyward:Sessions:IdleTimeout must be a duration written hh:mm:ss or d.hh:mm:ss (e.g. 00:15:00 for 15 minutes, 1.00:00:00 for a day).",
            error.TrimEnd());
        Assert.DoesNotContain("fifteen", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PostgresWithoutConnectionString_SaysWhatIsRequired()
    {
        var (code, _, error) = await ServeAsync("--Keyward:Storage:Provider=Postgres");

        Assert.Equal(2, code);
        Assert.StartsWith("Keyward:Storage:ConnectionString is required", error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }

    [Fact]
    public async Task Serve_SeveralSettingsInvalid_PrintsOneLineForEach()
    {
        var (code, _, error) = await ServeAsync("--Keyward:Storage:Provider=Postgres", "--Keyward:Sessions:IdleTimeout=00:00:00");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("Keyward:Storage:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Keyward:Sessions:IdleTimeout", StringComparison.Ordinal));
        AssertNoStackTrace(error);
    }

    [Fact]
    public async Task Serve_ListenAddressTaken_SaysWhichAddressAndExitsTwo()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"https://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        var (code, _, error) = await CommandLineRun.RunAsync("serve", "--data-dir", _data.Path, "--listen", address);

        Assert.Equal(2, code);
        Assert.Equal($"{address} is already in use by another process: stop it, or choose another address with --listen (Keyward:Listen).", error.TrimEnd());

        // Found before the first write: no database, no keys, no audit tree head.
        Assert.False(File.Exists(Path.Combine(_data.Path, "keyward.db")), "serve wrote its database before finding its address taken.");
    }

    [Fact]
    public async Task Serve_SecondOnTheSameSqliteDataDirectory_StopsBeforeWritingAnything()
    {
        await using var first = await Keyward.Testing.Hosting.KeywardTestHost.StartAsync(new() { DataDirectory = _data.Path });
        var files = Directory.GetFiles(_data.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var (code, _, error) = await ServeAsync();

        Assert.Equal(2, code);
        Assert.Equal($"Another Keyward is already running on the data directory {_data.Path} (it holds keyward.lock). Stop it, or give this one its own directory with --data-dir (Keyward:DataDirectory).", error.TrimEnd());
        var after = Directory.GetFiles(_data.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.SequenceEqual(after), "BEFORE: " + string.Join(" | ", files.Select(Path.GetFileName)) + " AFTER: " + string.Join(" | ", after.Select(Path.GetFileName)));

        // Without the lock it would have gone on to issue a second setup code (no admin exists yet), recorded in the audit log.
        var events = await first.GetRequiredService<Keyward.Core.Audit.AuditReader>().ListAsync(new Keyward.Core.Audit.AuditQuery { Limit = Keyward.Core.Audit.AuditQuery.MaxLimit });
        Assert.Single(events.Events, e => e.Action == Keyward.Core.Audit.AuditActions.SetupCodeIssued);

        // Once the first has stopped, the directory is free again.
        await first.DisposeAsync();
        var second = await Keyward.Testing.Hosting.KeywardTestHost.StartAsync(new() { DataDirectory = _data.Path });
        await second.DisposeAsync();
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Serve_InvalidSettings_WritesNothingBeforeReportingThem()
    {
        // A route's setting is checked too: mapping the routes is what used to make the signing key first.
        var (code, _, error) = await ServeAsync("--Keyward:Sessions:IdleTimeout=fifteen", "--Keyward:Routes:x:Path=/a", "--Keyward:Routes:x:Upstream=notaurl");

        Assert.Equal(2, code);
        Assert.Contains("Keyward:Routes:x:Upstream", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_data.Path));
    }

    private static void AssertNoStackTrace(string text) => Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

    // On a free port: should a setting be wrongly accepted, Keyward starts there, not on 8443 beside another one.
    private Task<(int Code, string Output, string Error)> ServeAsync(params string[] settings) =>
        CommandLineRun.RunAsync(["serve", "--data-dir", _data.Path, "--listen", $"https://127.0.0.1:{Keyward.Client.FreePort.Next()}", $"--Keyward:Metrics:Listen=http://127.0.0.1:{Keyward.Client.FreePort.Next()}", .. settings]);
}
