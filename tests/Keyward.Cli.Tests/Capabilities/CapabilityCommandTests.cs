using System.Text.Json;
using Keyward.Authenticator;
using Keyward.Cli.Tests.Broker;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Capabilities;

/// <summary>
/// <c>keyward actors create|list|revoke</c> and <c>keyward scopes grant|list|revoke</c> against a real Keyward: the
/// service key is printed once and never listed; a grant only proposes, printing the approval request and that votes
/// are needed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class CapabilityCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-capabilities-");
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
    public async Task Actors_CreateListRevoke_KeyPrintedOnceAndNeverListed()
    {
        await LoginAdminAsync();

        var created = await RunAsync("actors", "create", "billing bot", "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(created.Code == 0, created.Error);
        var key = created.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("kwv_", StringComparison.Ordinal));

        var table = await RunAsync("actors", "list", "--token-file", TokenFile);
        var json = await RunAsync("actors", "list", "--json", "--token-file", TokenFile);
        Assert.True(table.Code == 0 && json.Code == 0, table.Error + json.Error);
        Assert.Contains("billing bot", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[4..20], table.Output + json.Output, StringComparison.Ordinal);
        using var listed = JsonDocument.Parse(json.Output);
        var id = listed.RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;

        var revoked = await RunAsync("actors", "revoke", id, "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(revoked.Code == 0, revoked.Error);
        using var after = JsonDocument.Parse((await RunAsync("actors", "list", "--json", "--token-file", TokenFile)).Output);
        Assert.NotEqual(JsonValueKind.Null, after.RootElement.EnumerateArray().Single().GetProperty("revoked_at").ValueKind);
    }

    [Fact]
    public async Task ScopesGrant_PrintsTheApprovalRequestAndThatVotesAreNeeded_AndWritesNoScope()
    {
        await LoginAdminAsync();
        await using (var db = Host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            var admin = await db.Accounts.Where(a => a.Name == "admin").Select(a => a.Id).SingleAsync();
            var policy = await new ApprovalPolicyService(Host.GetRequiredService<KeywardDatabase>(), TimeProvider.System).CreateAsync(new ApprovalPolicyDraft
            {
                Name = "scopes",
                Kinds = [OperationKind.GrantScope],
                Groups = [new("owners", 1, [admin])],
            });
            Assert.True(policy.Succeeded, policy.Failure?.ToString());
        }

        var created = await RunAsync("actors", "create", "reader", "--key", KeyFile, "--token-file", TokenFile, "--json");
        using var actor = JsonDocument.Parse(created.Output);
        var id = actor.RootElement.GetProperty("id").GetString()!;

        var grant = await RunAsync("scopes", "grant", "--actor", id, "--op", "read", "--op", "list", "--class", "credential", "--prefix", "db/prod/", "--key", KeyFile, "--token-file", TokenFile);

        Assert.True(grant.Code == 0, grant.Error);
        Assert.Contains("grant_scope as approval request", grant.Output, StringComparison.Ordinal);
        Assert.Contains("approvers", grant.Output, StringComparison.Ordinal);
        var scopes = await RunAsync("scopes", "list", "--json", "--token-file", TokenFile);
        Assert.True(scopes.Code == 0, scopes.Error);
        Assert.Equal("[]", scopes.Output.Trim());

        var refused = await RunAsync("scopes", "grant", "--actor", id, "--op", "sudo", "--class", "credential", "--prefix", "db", "--key", KeyFile, "--token-file", TokenFile);
        Assert.Equal(1, refused.Code);
        Assert.Contains("operations", refused.Error + refused.Output, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => CommandLineRun.RunAsync(args);

    private async Task LoginAdminAsync()
    {
        var key = VirtualAuthenticator.Create();
        using (var client = new KeywardTestClient(Host, key))
        {
            await client.RegisterAdminAsync(Host.SetupCode!);
        }

        key.Save(KeyFile, Passphrase);
        var login = await RunAsync("login", "--username", "admin", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", KeyFile, "--token-file", TokenFile);
        Assert.True(login.Code == 0, login.Error);
    }
}
