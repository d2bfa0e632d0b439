using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Cli.Tests.Broker;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Data.Sqlite;

namespace Keyward.Cli.Tests.Approvals;

/// <summary>
/// <c>keyward approvals list|show|approve|deny</c> against a real Keyward: the admin approves with the key file (a real
/// assertion over the operation's challenge) and completes a 2-of-2 quorum that bob started.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class ApprovalCommandTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly TempDirectory _folder = new("keyward-cli-approvals-");
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
    public async Task Approve_WithTheKeyFile_CompletesTheQuorum_ListShowAndDenyWork()
    {
        var key = VirtualAuthenticator.Create();
        var bobKey = VirtualAuthenticator.Create();
        Guid policy, first, second;
        using (var client = new KeywardTestClient(Host, key))
        {
            await client.RegisterAdminAsync(Host.SetupCode!);
            var admin = await client.LoginAsync("admin");
            await client.RegisterWithInviteAsync(await client.CreateInviteAsync(admin.Token, "bob", "user"), bobKey);
            await client.StepUpAsync(admin.Token, "admin");
            var created = await client.PostAsync("/api/approvals/policies", JsonNode.Parse("""{"name":"quorum","kinds":["change_threshold"],"groups":[{"name":"security","threshold":2,"approvers":["admin","bob"]}]}"""), admin.Token);
            Assert.Equal(200, created.StatusCode);
            policy = created.Json.GetProperty("id").GetGuid();
            var bob = await client.LoginAsync("bob", bobKey);
            var body = new JsonObject { ["kind"] = "change_threshold", ["target"] = policy.ToString(), ["parameters"] = new JsonObject { ["group"] = "security", ["threshold"] = "1" } };
            first = (await client.PostAsync("/api/approvals", body, bob.Token)).Json.GetProperty("id").GetGuid();
            second = (await client.PostAsync("/api/approvals", body, bob.Token)).Json.GetProperty("id").GetGuid();
            var begun = await client.PostAsync($"/api/approvals/{first}/vote/begin", token: bob.Token);
            var signed = bobKey.GetAssertion(begun.Json.GetProperty("public_key").GetRawText(), client.Origin);
            Assert.Equal(200, (await client.PostAsync($"/api/approvals/{first}/vote/finish", new JsonObject { ["credential"] = JsonNode.Parse(signed) }, bob.Token)).StatusCode);
        }

        key.Save(KeyFile, Passphrase);
        var login = await CommandLineRun.RunAsync(["login", "--username", "admin", "--server", Host.Origin, "--cacert", Host.CaFile, "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(login.Code == 0, login.Error);

        var list = await CommandLineRun.RunAsync(["approvals", "list", "--token-file", TokenFile]);
        Assert.True(list.Code == 0, list.Error);
        Assert.Contains(first.ToString(), list.Output, StringComparison.Ordinal);
        var show = await CommandLineRun.RunAsync(["approvals", "show", first.ToString(), "--token-file", TokenFile]);
        Assert.True(show.Code == 0, show.Error);
        Assert.Contains("Set the threshold of group security of approval policy quorum", show.Output, StringComparison.Ordinal);

        var deny = await CommandLineRun.RunAsync(["approvals", "deny", second.ToString(), "--json", "--token-file", TokenFile]);
        Assert.True(deny.Code == 0, deny.Error);
        Assert.Equal("denied", JsonDocument.Parse(deny.Output).RootElement.GetProperty("state").GetString());

        var approve = await CommandLineRun.RunAsync(["approvals", "approve", first.ToString(), "--key", KeyFile, "--token-file", TokenFile]);
        Assert.True(approve.Code == 0, approve.Error);
        Assert.Contains("the operation was applied", approve.Output, StringComparison.Ordinal);

        var again = await CommandLineRun.RunAsync(["approvals", "approve", first.ToString(), "--key", KeyFile, "--token-file", TokenFile]);
        Assert.Equal(1, again.Code);
        Assert.Contains("approval_replayed", again.Output + again.Error, StringComparison.Ordinal);
    }
}
