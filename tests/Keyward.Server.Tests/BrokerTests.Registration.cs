using System.Globalization;
using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

public abstract partial class BrokerTests
{
    [Fact]
    public async Task RegisterBegin_SetupCodeAfterFirstAdmin_ReturnsSetupCodeInvalid()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var code = host.SetupCode!;

        // A second ceremony begun with the code while it was still unused.
        var (early, earlyCredential) = await client.BeginAndMakeCredentialAsync(new JsonObject { ["setup_code"] = code, ["username"] = "early" }, KeywardTestClient.NewKey());
        await client.RegisterAdminAsync(code);

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = code, ["username"] = "mallory" }), 401, "setup_code_invalid");
        ProblemAssert.Problem(await client.RegisterFinishAsync(early, earlyCredential, setupCode: code), 401, "setup_code_invalid");
        Assert.Null(await host.GetService<AccountService>().FindAccountAsync("early"));
    }

    [Fact]
    public async Task RegisterFinish_TwentyConcurrentWithOneSetupCode_CreateExactlyOneAdmin()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var code = host.SetupCode!;
        var keys = Enumerable.Range(0, 20).Select(_ => KeywardTestClient.NewKey()).ToList();
        var ceremonies = new List<(Guid Ceremony, string Credential)>();
        for (var i = 0; i < keys.Count; i++)
        {
            ceremonies.Add(await client.BeginAndMakeCredentialAsync(new JsonObject { ["setup_code"] = code, ["username"] = $"admin-{i:00}" }, keys[i]));
        }

        var results = await Task.WhenAll(ceremonies.Select(c => Task.Run(() => client.RegisterFinishAsync(c.Ceremony, c.Credential, setupCode: code))));

        var winner = Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r != winner), r => ProblemAssert.Problem(r, 401, "setup_code_invalid"));
        await using (var db = host.GetService<KeywardDatabase>().CreateContext())
        {
            Assert.Equal(1, await db.Accounts.CountAsync());
            Assert.Equal(1, await db.Authenticators.CountAsync());
        }

        var name = winner.GetString("account");
        var winnerKey = keys[int.Parse(name["admin-".Length..], CultureInfo.InvariantCulture)];
        Assert.Equal(name, (await client.LoginAsync(name, winnerKey)).Account);
    }

    [Fact]
    public async Task RegisterBegin_WrongOrExpiredSetupCode_ReturnsSetupCodeInvalid()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var code = host.SetupCode!;

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = "AAAA-BBBB-CCCC", ["username"] = "admin" }), 401, "setup_code_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = "not a code", ["username"] = "admin" }), 401, "setup_code_invalid");

        host.Time.Advance(TimeSpan.FromMinutes(16));
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = code, ["username"] = "admin" }), 401, "setup_code_invalid");
    }

    [Fact]
    public async Task RegisterBegin_NoCodeInviteOrSession_ReturnsSessionMissing()
    {
        var client = ClientOf(await StartHostAsync());

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject()), 401, "session_missing");
    }

    [Fact]
    public async Task Invite_NewUserRegistersWithIt_ReuseReturnsInviteInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "bob", "user");
        Assert.StartsWith("kwi_", invite, StringComparison.Ordinal);
        var bobKey = KeywardTestClient.NewKey();

        var registered = await client.RegisterWithInviteAsync(invite, bobKey);

        Assert.Equal(("bob", "user"), (registered.Account, registered.Role));
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite }), 401, "invite_invalid");
        var bob = await client.LoginAsync("bob", bobKey);
        Assert.Equal("user", bob.Role);
    }

    [Fact]
    public async Task Invite_ForExistingAccountNameOrUnknownRole_IsRefused()
    {
        var broker = await StartWithAdminAsync();
        await broker.Client.StepUpAsync(broker.Admin.Token, "admin");

        var refused = await broker.Client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "admin", ["role"] = "user" }, broker.Admin.Token);

        ProblemAssert.Problem(refused, 409, "account_exists");
        ProblemAssert.Problem(await broker.Client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "frank", ["role"] = "root" }, broker.Admin.Token), 400, "role_unknown");
        ProblemAssert.Problem(await broker.Client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = " ", ["role"] = "user" }, broker.Admin.Token), 400, "username_required");
    }

    [Fact]
    public async Task RegisterFinish_AddKeyWithoutTheSessionThatBeganIt_ReturnsSessionInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var other = await client.LoginAsync("admin");
        await client.StepUpAsync(other.Token, "key.add");
        var (bob, _) = await AddUserAsync(broker, "bob");
        var (ceremony, credential) = await client.BeginAndMakeCredentialAsync(new JsonObject { ["key_name"] = "stolen" }, KeywardTestClient.NewKey(), other.Token);
        var (ceremony2, credential2) = await client.BeginAndMakeCredentialAsync(new JsonObject { ["key_name"] = "late" }, KeywardTestClient.NewKey(), other.Token);
        var (ceremony3, credential3) = await client.BeginAndMakeCredentialAsync(new JsonObject { ["key_name"] = "anonymous" }, KeywardTestClient.NewKey(), other.Token);

        ProblemAssert.Problem(await client.RegisterFinishAsync(ceremony, credential, token: bob.Token), 401, "session_invalid");
        ProblemAssert.Problem(await client.RegisterFinishAsync(ceremony3, credential3), 401, "session_invalid");
        ProblemAssert.Ok(await client.LogoutAsync(other.Token));
        ProblemAssert.Problem(await client.RegisterFinishAsync(ceremony2, credential2, token: other.Token), 401, "session_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject(), other.Token), 401, "session_logged_out");
        Assert.Single((await client.GetAsync("/api/keys", broker.Admin.Token)).Json.EnumerateArray());
        Assert.Single((await client.GetAsync("/api/keys", bob.Token)).Json.EnumerateArray());
    }

    [Fact]
    public async Task Invite_TenConcurrentFinishes_RegisterExactlyOneKey()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "carol", "user");
        var ceremonies = new List<(Guid Ceremony, string Credential)>();
        for (var i = 0; i < 10; i++)
        {
            ceremonies.Add(await client.BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, KeywardTestClient.NewKey()));
        }

        var results = await Task.WhenAll(ceremonies.Select(c => Task.Run(() => client.RegisterFinishAsync(c.Ceremony, c.Credential, invite: invite))));

        Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r.StatusCode != 200), r => Assert.True(
            (r.StatusCode, r.Code) is (401, "invite_invalid") or (409, "account_exists"), r.ToString()));
        var carol = await broker.Host.GetService<AccountService>().FindAccountAsync("carol");
        Assert.NotNull(carol);
        Assert.Single(await broker.Host.GetService<AccountService>().ListAuthenticatorsAsync(carol.Id));
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite }), 401, "invite_invalid");
    }

    [Fact]
    public async Task Invite_ExpiredOrOfAnotherKind_ReturnsInviteInvalid()
    {
        var broker = await StartWithAdminAsync();
        var client = broker.Client;
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "dave", "user");

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = broker.Admin.Token }), 401, "invite_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite[..^1] + (invite[^1] == 'a' ? 'b' : 'a') }), 401, "invite_invalid");

        broker.Host.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite }), 401, "invite_invalid");
    }

    [Fact]
    public async Task Invite_CreatedByUser_Returns403RoleRequired()
    {
        var broker = await StartWithAdminAsync();
        var (bob, _) = await AddUserAsync(broker, "bob");

        var refused = await broker.Client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "eve", ["role"] = "admin" }, bob.Token);

        ProblemAssert.Problem(refused, 403, "role_required");
    }
}
