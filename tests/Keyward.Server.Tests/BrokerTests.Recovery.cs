using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

/// <summary>Recovery (issue 9 item 8): recovery codes and re-enrollment invites, since step-up makes a lost key final.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task Registration_NewAccount_ReturnsTenRecoveryCodesOnceStoredOnlyAsKeyedHashes()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var adminRegistration = client.Seen.First(r => r.Path == KeywardPaths.RegisterFinish);
        var invite = await client.CreateInviteAsync(admin.Token, "bob", "user");
        var bob = await client.RegisterWithInviteAsync(invite, KeywardTestClient.NewKey());
        await client.StepUpAsync(admin.Token, "key.add");
        var added = await client.AddKeyAsync(admin.Token, KeywardTestClient.NewKey(), "spare");

        var adminCodes = adminRegistration.Json.GetProperty("recovery_codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, adminCodes.Count);
        Assert.All(adminCodes.Concat(bob.RecoveryCodes!), c => Assert.Matches("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", c));
        Assert.Equal(20, adminCodes.Concat(bob.RecoveryCodes!).Distinct().Count());
        Assert.Null(added.RecoveryCodes);
        Assert.Contains("no-store", adminRegistration.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        // Only keyed hashes: neither the code nor any unkeyed hash of it is in the database.
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        var stored = await db.RecoveryCodes.Select(r => r.CodeHash).ToListAsync();
        Assert.Equal(20, stored.Count);
        var adminId = (await host.GetService<AccountService>().FindAccountAsync("admin"))!.Id;
        foreach (var code in adminCodes)
        {
            var normalized = code.Replace("-", string.Empty, StringComparison.Ordinal);
            var unkeyed = new[] { SHA256.HashData(Encoding.UTF8.GetBytes(normalized)), SHA256.HashData(Encoding.UTF8.GetBytes($"keyward/recovery/{adminId:N}/{normalized}")), Core.Credentials.HumanCode.Hash("recovery", normalized) };
            Assert.DoesNotContain(stored, s => unkeyed.Any(u => u.AsSpan().SequenceEqual(s)));
        }

        Assert.True(File.Exists(Path.Combine(_data.Path, "instance.key")));
        Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.RecoveryCodesIssued && e.Actor == "bob");
    }

    [Fact]
    public async Task RecoveryCode_RegistersANewKeyOnceAndEndsEverySessionOfTheAccount()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var codes = (await client.RegisterAdminAsync(host.SetupCode!)).RecoveryCodes!;
        var admin = await client.LoginAsync("admin");
        var newKey = KeywardTestClient.NewKey();

        var recovered = await client.Client.RegisterAsync(newKey, RegistrationRequest.WithRecoveryCode("admin", codes[3], "replacement"));

        Assert.Equal(("admin", "admin", "replacement"), (recovered.Account, recovered.Role, recovered.Key.Name));
        Assert.Null(recovered.RecoveryCodes);
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_revoked");
        Assert.Equal("admin", (await client.LoginAsync("admin", newKey)).Account);
        var again = await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = codes[3] });
        ProblemAssert.Problem(again, 401, "recovery_code_invalid");

        // Another of the codes still works (lowercase and without dashes, as people type them).
        ProblemAssert.Ok(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = codes[4].Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant() }));
        var events = await AllEventsAsync(host);
        var used = Assert.Single(events, e => e.Action == AuditActions.RecoveryCodeUsed);
        Assert.Equal(("admin", AuditOutcomes.Success), (used.Target, used.Outcome));
        Assert.Contains(events, e => e.Action == AuditActions.SessionsRevokedAll && e.Details.GetValueOrDefault("reason") == "recovery");
        Assert.DoesNotContain(events, e => codes.Any(c => string.Join(' ', e.Details.Values).Contains(c, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RecoveryCode_WrongCodeUnknownUserOrAnotherAccountsCode_GetTheSameRefusal()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var adminCodes = (await client.RegisterAdminAsync(host.SetupCode!)).RecoveryCodes!;
        var admin = await client.LoginAsync("admin");
        var invite = await client.CreateInviteAsync(admin.Token, "bob", "user");
        var bobCodes = (await client.RegisterWithInviteAsync(invite, KeywardTestClient.NewKey())).RecoveryCodes!;

        var refusals = new[]
        {
            await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "AAAA-BBBB-CCCC" }),
            await client.RegisterBeginAsync(new JsonObject { ["username"] = "nobody", ["recovery_code"] = adminCodes[0] }),
            await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = bobCodes[0] }),
            await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "not a code" }),
        };

        Assert.All(refusals, r => ProblemAssert.Problem(r, 401, "recovery_code_invalid"));
        Assert.Single(refusals.Select(r => r.Body.Replace("nobody", "admin", StringComparison.Ordinal)).Distinct());
        Assert.Equal(4, (await AllEventsAsync(host)).Count(e => e.Action == AuditActions.KeyRegistrationFailed && e.Details["code"] == "recovery_code_invalid"));
    }

    [Fact]
    public async Task RecoveryCode_FailedAttempts_BackOffTheirAddress()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:FailuresBeforeBackoff"] = "2");
        var client = ClientOf(host);
        await client.RegisterAdminAsync(host.SetupCode!);

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "AAAA-BBBB-CCC1" }), 401, "recovery_code_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "AAAA-BBBB-CCC2" }), 401, "recovery_code_invalid");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "AAAA-BBBB-CCC3" }), 429, "rate_limited");

        // While the address waits even a right code waits; after the wait it is read again.
        var code = (await host.GetService<RecoveryCodeService>().ReplaceAsync((await host.GetService<AccountService>().FindAccountAsync("admin"))!.Id, Core.Storage.Tenants.Default))[0];
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = code }), 429, "rate_limited");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        ProblemAssert.Ok(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = code }));
    }

    [Fact]
    public async Task RecoveryCode_TenConcurrentFinishes_RegisterExactlyOneKey()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var code = (await client.RegisterAdminAsync(host.SetupCode!)).RecoveryCodes![0];
        var ceremonies = new List<(Guid Ceremony, string Credential)>();
        for (var i = 0; i < 10; i++)
        {
            ceremonies.Add(await client.BeginAndMakeCredentialAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = code }, KeywardTestClient.NewKey()));
        }

        var results = await Task.WhenAll(ceremonies.Select(c => Task.Run(() =>
            client.PostAsync(KeywardPaths.RegisterFinish, new JsonObject { ["ceremony_id"] = c.Ceremony.ToString(), ["credential"] = JsonNode.Parse(c.Credential), ["recovery_code"] = code }))));

        Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r.StatusCode != 200), r => ProblemAssert.Problem(r, 401, "recovery_code_invalid"));
        var accounts = host.GetService<AccountService>();
        Assert.Equal(2, (await accounts.ListAuthenticatorsAsync((await accounts.FindAccountAsync("admin"))!.Id)).Count);
        Assert.Equal(9, await host.GetService<RecoveryCodeService>().CountAsync((await accounts.FindAccountAsync("admin"))!.Id));
    }

    [Fact]
    public async Task RecoveryCodes_Regenerate_ReplacesThemAndTheOldOnesStopWorking()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var old = (await client.RegisterAdminAsync(host.SetupCode!)).RecoveryCodes!;
        var admin = await client.LoginAsync("admin");

        var renewed = await client.Client.WithStepUpAsync(client.Key, admin.Token, () => client.Client.RegenerateRecoveryCodesAsync(admin.Token));

        Assert.Equal(10, renewed.Codes.Count);
        Assert.Empty(renewed.Codes.Intersect(old));
        Assert.Contains("no-store", client.Seen.Last(r => r.Path == KeywardPaths.RecoveryCodes).Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = old[0] }), 401, "recovery_code_invalid");
        ProblemAssert.Ok(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = renewed.Codes[0] }));
    }

    [Fact]
    public async Task ReenrollInvite_RegistersANewKeyForTheExistingAccountKeepingNameAndRole()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, bobKey) = await AddUserAsync(broker, "bob");
        ProblemAssert.Problem(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "nobody", ["reenroll"] = true }, admin.Token), 404, "account_not_found");

        var invite = await client.Client.CreateReenrollInviteAsync(admin.Token, "bob");
        var newKey = KeywardTestClient.NewKey();
        var registered = await client.RegisterWithInviteAsync(invite.Invite, newKey);

        Assert.Equal(("bob", "user"), (invite.AccountName, invite.Role));
        Assert.Equal(("bob", "user"), (registered.Account, registered.Role));
        Assert.Null(registered.RecoveryCodes);
        Assert.Equal("bob", (await client.LoginAsync("bob", newKey)).Account);
        Assert.Equal("bob", (await client.LoginAsync("bob", bobKey)).Account);
        ProblemAssert.Ok(await client.StatusAsync(bob.Token));
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite.Invite }), 401, "invite_invalid");
        var accounts = host.GetService<AccountService>();
        Assert.Equal(2, (await accounts.ListAuthenticatorsAsync((await accounts.FindAccountAsync("bob"))!.Id)).Count);
        var created = (await AllEventsAsync(host)).Last(e => e.Action == AuditActions.InviteCreated && e.Outcome == AuditOutcomes.Success);
        Assert.True(created.Details.ContainsKey("reenroll_account_id"));
    }

    [Fact]
    public async Task ReenrollInvite_WithoutAdminStepUp_ReturnsStepUpRequired()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, _) = broker;
        await AddUserAsync(broker, "bob");
        var fresh = await client.LoginAsync("admin");

        AssertStepUpRequired(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "bob", ["reenroll"] = true }, fresh.Token), "admin", null);
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal(0, await db.Invites.CountAsync(i => i.AccountId != null));
    }
}
