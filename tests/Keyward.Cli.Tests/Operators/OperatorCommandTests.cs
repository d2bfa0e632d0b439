using System.CommandLine;
using System.Text.Json;
using Keyward.Authenticator;
using Keyward.Cli.Broker;
using Keyward.Cli.Tests.Broker;
using Keyward.Core.Accounts;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Operators;

/// <summary>
/// The operator commands (issue 10 item 6) against a real Keyward: <c>login</c> remembers the server, then
/// <c>admin invite</c>, <c>admin accounts</c>, <c>keys</c>, <c>sessions</c> and <c>audit tail</c> run without
/// <c>--server</c>/<c>--cacert</c>, as tables and with <c>--json</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class OperatorCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-operators-");
    private KeywardTestHost? _host;

    private KeywardTestHost Host => _host ?? throw new InvalidOperationException("Not started.");

    private string KeyFile => _folder.Combine("key.json");

    private string TokenFile => _folder.Combine("config", "session");

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("KEYWARD_KEY_PASSPHRASE", Passphrase);
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel, DataDirectory = _folder.Combine("data") });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task Login_RemembersServerAndCaBesideTheToken_AndLaterCommandsUseThem()
    {
        await LoginAdminAsync();

        var saved = SavedServer.PathFor(TokenFile);
        Assert.True(File.Exists(saved));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saved));
        }

        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(saved)))
        {
            Assert.Equal(new Uri(Host.Origin), new Uri(json.RootElement.GetProperty("server").GetString()!));
            Assert.Equal(Path.GetFullPath(Host.CaFile), json.RootElement.GetProperty("cacert").GetString());
        }

        var status = await RunAsync("status", "--token-file", TokenFile);
        Assert.True(status.Code == 0, status.Error);

        // Without the remembered server, the same command goes to the default address and fails there.
        File.Delete(saved);
        var lost = await RunAsync("status", "--token-file", TokenFile);
        Assert.Equal(1, lost.Code);
    }

    [Fact]
    public async Task AdminInvite_CreateListRevoke_ListNeverShowsATokenAndRevokeStepsUp()
    {
        await LoginAdminAsync();

        var created = await RunAsync("admin", "invite", "create", "--account", "bob", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(created.Code == 0, created.Error);
        Assert.Contains("kwi_", created.Output, StringComparison.Ordinal);

        var table = await RunAsync("admin", "invite", "list", "--token-file", TokenFile);
        Assert.True(table.Code == 0, table.Error);
        Assert.Contains("bob", table.Output, StringComparison.Ordinal);
        var json = await RunAsync("admin", "invite", "list", "--json", "--token-file", TokenFile);
        Assert.DoesNotContain("kwi_", table.Output + json.Output, StringComparison.Ordinal);
        using var listed = JsonDocument.Parse(json.Output);
        var invite = listed.RootElement.EnumerateArray().Single();
        Assert.Equal(("bob", "user", false), (invite.GetProperty("account_name").GetString(), invite.GetProperty("role").GetString(), invite.GetProperty("reenroll").GetBoolean()));

        var revoked = await RunAsync("admin", "invite", "revoke", invite.GetProperty("id").GetString()!, "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(revoked.Code == 0, revoked.Error);
        var after = await RunAsync("admin", "invite", "list", "--json", "--token-file", TokenFile);
        Assert.Equal("[]", after.Output.Trim());
        var again = await RunAsync("admin", "invite", "revoke", invite.GetProperty("id").GetString()!, "--key", KeyFile, "--token-file", TokenFile);
        Assert.Equal(1, again.Code);
        Assert.Contains("invite_not_found", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminAccounts_ListShowDisableEnableRevokeSessions()
    {
        var (_, bobKey) = await LoginAdminAsync(withBob: true);
        using var bobClient = new KeywardTestClient(Host, bobKey);
        var bob = await bobClient.LoginAsync("bob", bobKey);

        var list = await RunAsync("admin", "accounts", "list", "--token-file", TokenFile);
        Assert.True(list.Code == 0, list.Error);
        Assert.Contains("admin", list.Output, StringComparison.Ordinal);
        Assert.Contains("bob", list.Output, StringComparison.Ordinal);
        var page = await RunAsync("admin", "accounts", "list", "--json", "--limit", "1", "--token-file", TokenFile);
        using (var json = JsonDocument.Parse(page.Output))
        {
            Assert.Equal("admin", json.RootElement.GetProperty("accounts")[0].GetProperty("name").GetString());
            Assert.Equal("admin", json.RootElement.GetProperty("next_after").GetString());
        }

        var show = await RunAsync("admin", "accounts", "show", "bob", "--json", "--token-file", TokenFile);
        Assert.True(show.Code == 0, show.Error);
        using (var json = JsonDocument.Parse(show.Output))
        {
            Assert.Equal(bob.Id, json.RootElement.GetProperty("sessions").EnumerateArray().Single().GetProperty("id").GetGuid());
        }

        var shown = await RunAsync("admin", "accounts", "show", "bob", "--token-file", TokenFile);
        Assert.Contains(bob.Id.ToString(), shown.Output, StringComparison.Ordinal);

        var disable = await RunAsync("admin", "accounts", "disable", "bob", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(disable.Code == 0, disable.Error);
        Assert.Contains("bob is now disabled; 1 session(s) ended.", disable.Output, StringComparison.Ordinal);
        Assert.NotNull((await Host.Services.GetRequiredService<AccountService>().FindAccountAsync("bob"))!.DisabledAt);
        Assert.Equal(401, (await bobClient.StatusAsync(bob.Token)).StatusCode);

        var lastAdmin = await RunAsync("admin", "accounts", "disable", "admin", "--key", KeyFile, "--token-file", TokenFile);
        Assert.Equal(1, lastAdmin.Code);
        Assert.Contains("last_admin", lastAdmin.Error, StringComparison.Ordinal);

        var enable = await RunAsync("admin", "accounts", "enable", "bob", "--json", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(enable.Code == 0, enable.Error);
        using (var json = JsonDocument.Parse(enable.Output))
        {
            Assert.False(json.RootElement.GetProperty("disabled").GetBoolean());
        }

        var again = await bobClient.LoginAsync("bob", bobKey);
        var revoke = await RunAsync("admin", "accounts", "revoke-sessions", "bob", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(revoke.Code == 0, revoke.Error);
        Assert.Contains("Ended 1 session(s) of bob.", revoke.Output, StringComparison.Ordinal);
        Assert.Equal(401, (await bobClient.StatusAsync(again.Token)).StatusCode);
    }

    [Fact]
    public async Task KeysAndSessions_ListRenameRemoveRevoke()
    {
        var (admin, _) = await LoginAdminAsync();

        // A second key and a second session, made outside the CLI.
        var key = VirtualAuthenticator.TryLoad(KeyFile, Passphrase).Value;
        using var other = new KeywardTestClient(Host, key);
        var spare = VirtualAuthenticator.Create();
        var added = await other.AddKeyAsync(admin, spare, "spare");
        var second = await other.LoginAsync("admin", spare);
        key.Save(KeyFile, Passphrase);

        var keys = await RunAsync("keys", "list", "--json", "--token-file", TokenFile);
        Assert.True(keys.Code == 0, keys.Error);
        using (var json = JsonDocument.Parse(keys.Output))
        {
            Assert.Equal(2, json.RootElement.GetArrayLength());
        }

        var renamed = await RunAsync("keys", "rename", added.Key.Id.ToString(), "backup key", "--token-file", TokenFile);
        Assert.True(renamed.Code == 0, renamed.Error);
        Assert.Contains("backup key", (await RunAsync("keys", "list", "--token-file", TokenFile)).Output, StringComparison.Ordinal);

        var sessions = await RunAsync("sessions", "list", "--json", "--token-file", TokenFile);
        using (var json = JsonDocument.Parse(sessions.Output))
        {
            Assert.Equal(2, json.RootElement.GetArrayLength());
        }

        var revoked = await RunAsync("sessions", "revoke", second.Id.ToString(), "--token-file", TokenFile);
        Assert.True(revoked.Code == 0, revoked.Error);
        Assert.Equal(401, (await other.StatusAsync(second.Token)).StatusCode);
        using (var json = JsonDocument.Parse((await RunAsync("sessions", "list", "--json", "--token-file", TokenFile)).Output))
        {
            Assert.True(json.RootElement.EnumerateArray().Single().GetProperty("current").GetBoolean());
        }

        var removed = await RunAsync("keys", "remove", added.Key.Id.ToString(), "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(removed.Code == 0, removed.Error);
        using (var json = JsonDocument.Parse((await RunAsync("keys", "list", "--json", "--token-file", TokenFile)).Output))
        {
            Assert.Equal(1, json.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task AuditTail_PrintsTheLatestThenFollowsNewEventsUntilCancelled()
    {
        await LoginAdminAsync();

        var latest = await RunAsync("audit", "tail", "--no-follow", "--json", "--limit", "2", "--token-file", TokenFile);
        Assert.True(latest.Code == 0, latest.Error);
        var lines = latest.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var shown = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sequence").GetInt64()).ToList();
        var newest = (await Host.GetRequiredService<Keyward.Core.Audit.AuditReader>().ListAsync(new Keyward.Core.Audit.AuditQuery { Limit = 500 })).Events.Select(e => e.Sequence).TakeLast(2);
        Assert.Equal(newest, shown);

        using var inner = new StringWriter();
        var output = TextWriter.Synchronized(inner);
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var tail = KeywardCommandLine.RunAsync(
            ["audit", "tail", "--limit", "1", "--interval", "0.2", "--token-file", TokenFile], new InvocationConfiguration { Output = output, Error = error }, stop.Token);

        // The tail has read the log's end (it printed the latest event) before anything new happens: an invite created
        // before that first read would count as history, not as a followed event, and the loop below would wait forever.
        while (Text(output, inner).Length == 0 && !stop.IsCancellationRequested && !tail.IsCompleted)
        {
            await Task.Delay(50);
        }

        Assert.DoesNotContain("invite.created", Text(output, inner), StringComparison.Ordinal);

        // Something happens after the tail started: it shows up.
        var created = await RunAsync("admin", "invite", "create", "--account", "followed", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(created.Code == 0, created.Error);
        while (!Text(output, inner).Contains("invite.created", StringComparison.Ordinal) && !stop.IsCancellationRequested && !tail.IsCompleted)
        {
            await Task.Delay(50);
        }

        Assert.False(tail.IsCompleted, error.ToString());
        await stop.CancelAsync();
        Assert.Equal(0, await tail);
        Assert.Contains("invite.created", Text(output, inner), StringComparison.Ordinal);
        Assert.Contains("followed", Text(output, inner), StringComparison.Ordinal);
    }

    private static string Text(TextWriter synchronized, StringWriter inner)
    {
        lock (synchronized)
        {
            return inner.ToString();
        }
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => CommandLineRun.RunAsync(args);

    // Registers the first admin (and bob, when asked) with keys made here, saves the admin's key file, and signs in
    // through the CLI with --server and --cacert (which login remembers). Returns the CLI session's token and bob's key.
    private async Task<(string AdminToken, VirtualAuthenticator? BobKey)> LoginAdminAsync(bool withBob = false)
    {
        var key = VirtualAuthenticator.Create();
        VirtualAuthenticator? bobKey = null;
        using (var client = new KeywardTestClient(Host, key))
        {
            await client.RegisterAdminAsync(Host.SetupCode!);
            if (withBob)
            {
                var admin = await client.LoginAsync("admin");
                bobKey = VirtualAuthenticator.Create();
                await client.RegisterWithInviteAsync(await client.CreateInviteAsync(admin.Token, "bob", "user"), bobKey);
                await client.LogoutAsync(admin.Token);
            }
        }

        key.Save(KeyFile, Passphrase);
        var login = await RunAsync("login", "--username", "admin", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(login.Code == 0, login.Error);
        return ((await File.ReadAllTextAsync(TokenFile)).Trim(), bobKey);
    }
}
