using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

/// <summary>Step-up (issue 9 item 3): sensitive actions need a fresh assertion made for them, never a session alone.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task StepUp_NoneOrSignInOnly_EveryStateChangingActionReturnsStepUpRequiredAndChangesNothing()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, _) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");

        // A fresh sign-in: the sign-in itself is never a step-up.
        var admin = await client.LoginAsync("admin");
        var before = (await AllEventsAsync(host)).Count(e => e.Action == AuditActions.StepUpRequired);
        var keyId = (await client.GetAsync("/api/keys", admin.Token)).Json.EnumerateArray().Single().GetProperty("id").GetGuid();
        var addKey = await client.RegisterBeginAsync(new JsonObject(), admin.Token);
        var invite = await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "carol", ["role"] = "user" }, admin.Token);
        var revoke = await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: admin.Token);
        var remove = await client.DeleteAsync($"/api/keys/{keyId}", admin.Token);
        var regenerate = await client.PostAsync("/api/account/recovery-codes", token: admin.Token);

        AssertStepUpRequired(addKey, "key.add", null);
        AssertStepUpRequired(invite, "admin", null);
        AssertStepUpRequired(revoke, "admin", null);
        AssertStepUpRequired(regenerate, "recovery.regenerate", null);

        // The only key cannot go (last_key) whatever the step-up; a second one shows the removal's own step-up.
        ProblemAssert.Problem(remove, 409, "last_key");
        await client.StepUpAsync(admin.Token, "key.add");
        var spare = await client.AddKeyAsync(admin.Token, KeywardTestClient.NewKey(), "spare");
        AssertStepUpRequired(await client.DeleteAsync($"/api/keys/{spare.Key.Id}", admin.Token), "key.remove", spare.Key.Id.ToString());

        ProblemAssert.Ok(await client.StatusAsync(bob.Token));
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal(2, await db.Authenticators.CountAsync(a => a.AccountId == (db.Accounts.Single(x => x.Name == "admin").Id)));
        Assert.Null(await host.GetService<AccountService>().FindAccountAsync("carol"));
        Assert.Equal(1, await db.Invites.CountAsync());
        var refusals = (await AllEventsAsync(host)).Where(e => e.Action == AuditActions.StepUpRequired).Skip(before).ToList();
        Assert.Equal(["key.add", "admin", "admin", "recovery.regenerate", "key.remove"], refusals.Select(e => e.Details["purpose"]));
        Assert.All(refusals, e => Assert.Equal(("admin", AuditOutcomes.Denied, "step_up_required"), (e.Actor, e.Outcome, e.Details["code"])));
    }

    [Fact]
    public async Task StepUp_ForAnotherPurposeOrTarget_DoesNotCount()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        await client.StepUpAsync(admin.Token, "key.add");
        var first = await client.AddKeyAsync(admin.Token, KeywardTestClient.NewKey(), "first");
        var second = await client.AddKeyAsync(admin.Token, KeywardTestClient.NewKey(), "second");

        await client.StepUpAsync(admin.Token, "admin");
        AssertStepUpRequired(await client.RegisterBeginAsync(new JsonObject(), admin.Token), "key.add", null);
        AssertStepUpRequired(await client.DeleteAsync($"/api/keys/{first.Key.Id}", admin.Token), "key.remove", first.Key.Id.ToString());

        await client.StepUpAsync(admin.Token, "key.remove", first.Key.Id.ToString());
        AssertStepUpRequired(await client.DeleteAsync($"/api/keys/{second.Key.Id}", admin.Token), "key.remove", second.Key.Id.ToString());
        AssertStepUpRequired(await client.PostAsync("/api/account/recovery-codes", token: admin.Token), "recovery.regenerate", null);

        await client.StepUpAsync(admin.Token, "key.add");
        await client.StepUpAsync(admin.Token, "recovery.regenerate");
        ProblemAssert.Ok(await client.DeleteAsync($"/api/keys/{first.Key.Id}", admin.Token));

        // Spent: the same removal step-up does not remove a second time, and a purpose with a wrong target is refused.
        AssertStepUpRequired(await client.DeleteAsync($"/api/keys/{second.Key.Id}", admin.Token), "key.remove", second.Key.Id.ToString());
        ProblemAssert.Problem(await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "key.remove", ["target"] = "not-a-key" }, admin.Token), 400, "step_up_purpose_invalid");
        ProblemAssert.Problem(await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "everything" }, admin.Token), 400, "step_up_purpose_invalid");
        ProblemAssert.Problem(await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "admin" }), 401, "session_missing");
    }

    [Fact]
    public async Task StepUp_ByAnotherAccountsKey_ReturnsCredentialUnknownAndRecordsNothing()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, bobKey) = await AddUserAsync(broker, "bob");

        // Bob's browser ignores the allow list of the admin's step-up and answers with his own key, and the other way round.
        foreach (var (session, key) in new[] { (admin, bobKey), (bob, client.Key) })
        {
            var started = await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "key.add" }, session.Token);
            ProblemAssert.Ok(started);
            var options = JsonNode.Parse(started.Json.GetProperty("public_key").GetRawText())!.AsObject();
            options.Remove("allowCredentials");
            var credential = key.GetAssertion(options.ToJsonString(), Origin);
            var finished = await client.PostAsync("/session/step-up/finish", new JsonObject { ["ceremony_id"] = started.GetString("ceremony_id"), ["credential"] = JsonNode.Parse(credential) }, session.Token);
            ProblemAssert.Problem(finished, 401, "credential_unknown");
            AssertStepUpRequired(await client.RegisterBeginAsync(new JsonObject(), session.Token), "key.add", null);
        }

        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal(0, await db.StepUps.CountAsync(s => s.Purpose == "key.add"));
        Assert.Equal(2, (await AllEventsAsync(host)).Count(e => e.Action == AuditActions.StepUpFailed && e.Details["code"] == "credential_unknown"));
    }

    [Fact]
    public async Task StepUp_CeremonyOfAnotherSession_ReturnsCeremonyInvalid()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var thief = await client.LoginAsync("admin");
        var started = (await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "admin" }, admin.Token)).EnsureSuccess();
        var credential = client.Key.GetAssertion(started.Json.GetProperty("public_key").GetRawText(), Origin);

        var finished = await client.PostAsync("/session/step-up/finish", new JsonObject { ["ceremony_id"] = started.GetString("ceremony_id"), ["credential"] = JsonNode.Parse(credential) }, thief.Token);

        ProblemAssert.Problem(finished, 400, "ceremony_invalid");
        AssertStepUpRequired(await client.PostAsync("/api/admin/accounts/admin/revoke-sessions", token: thief.Token), "admin", null);
        AssertStepUpRequired(await client.PostAsync("/api/admin/accounts/admin/revoke-sessions", token: admin.Token), "admin", null);
    }

    [Fact]
    public async Task StepUp_AdminWindow_ReusableUpToItsLastMillisecondThenRefused()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var stepUp = await client.StepUpAsync(admin.Token, "admin");
        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromMinutes(5), stepUp.ExpiresAt);
        Assert.False(stepUp.SingleUse);

        ProblemAssert.Ok(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "carol", ["role"] = "user" }, admin.Token));
        host.Time.Advance(TimeSpan.FromMinutes(5));
        ProblemAssert.Ok(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "dave", ["role"] = "user" }, admin.Token));
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        AssertStepUpRequired(await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "erin", ["role"] = "user" }, admin.Token), "admin", null);
    }

    [Fact]
    public async Task StepUp_ConfiguredWindow_SingleUseStepUpExpiresWithIt()
    {
        var broker = await StartWithAdminAsync(s => s["Keyward:StepUp:Window"] = "00:01:00");
        var (host, client, admin) = broker;
        await client.StepUpAsync(admin.Token, "key.add");
        host.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));

        AssertStepUpRequired(await client.RegisterBeginAsync(new JsonObject(), admin.Token), "key.add", null);
    }

    [Fact]
    public async Task StepUp_StolenBearerSessionToken_CannotAddAKey()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;

        // The attacker holds the admin's kws_ token and a key of their own (registered to their own account, so it
        // holds a credential for this RP), and answers the step-up with it, ignoring the allow list.
        var (_, attackerKey) = await AddUserAsync(broker, "mallory");
        AssertStepUpRequired(await client.RegisterBeginAsync(new JsonObject { ["key_name"] = "attacker" }, admin.Token), "key.add", null);
        var started = (await client.PostAsync("/session/step-up/begin", new JsonObject { ["purpose"] = "key.add" }, admin.Token)).EnsureSuccess();
        var options = JsonNode.Parse(started.Json.GetProperty("public_key").GetRawText())!.AsObject();
        options.Remove("allowCredentials");
        var assertion = attackerKey.GetAssertion(options.ToJsonString(), Origin);
        var finished = await client.PostAsync("/session/step-up/finish", new JsonObject { ["ceremony_id"] = started.GetString("ceremony_id"), ["credential"] = JsonNode.Parse(assertion) }, admin.Token);
        var stillRefused = await Assert.ThrowsAsync<KeywardProblemException>(() => client.Client.RegisterAsync(KeywardTestClient.NewKey(), RegistrationRequest.AddKey(admin.Token, "attacker")));

        ProblemAssert.Problem(finished, 401, "credential_unknown");
        Assert.Equal("step_up_required", stillRefused.Code);
        var accounts = host.GetService<AccountService>();
        Assert.Single(await accounts.ListAuthenticatorsAsync((await accounts.FindAccountAsync("admin"))!.Id));
    }

    [Fact]
    public async Task StepUp_OneKeyAddStepUpTenConcurrentFinishes_RegisterExactlyOneKey()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        await client.StepUpAsync(admin.Token, "key.add");
        var ceremonies = new List<(Guid Ceremony, string Credential)>();
        for (var i = 0; i < 10; i++)
        {
            ceremonies.Add(await client.BeginAndMakeCredentialAsync(new JsonObject { ["key_name"] = $"racer {i}" }, KeywardTestClient.NewKey(), admin.Token));
        }

        var results = await Task.WhenAll(ceremonies.Select(c => Task.Run(() => client.RegisterFinishAsync(c.Ceremony, c.Credential, token: admin.Token))));

        Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r.StatusCode != 200), r => AssertStepUpRequired(r, "key.add", null));
        var account = await host.GetService<AccountService>().FindAccountAsync("admin");
        Assert.Equal(2, (await host.GetService<AccountService>().ListAuthenticatorsAsync(account!.Id)).Count);
    }

    [Fact]
    public async Task StepUp_OneRegenerateStepUpTenConcurrentRequests_ReplaceTheCodesOnce()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        await client.StepUpAsync(admin.Token, "recovery.regenerate");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => client.PostAsync("/api/account/recovery-codes", token: admin.Token))));

        Assert.Single(results, r => r.StatusCode == 200);
        Assert.All(results.Where(r => r.StatusCode != 200), r => AssertStepUpRequired(r, "recovery.regenerate", null));
        Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.RecoveryCodesIssued && e.Details.ContainsKey("replaces_earlier"));
    }

    [Fact]
    public async Task StepUp_SessionEnds_ItsStepUpsEndWithIt()
    {
        var (host, client, admin) = await StartWithAdminAsync();
        var other = await client.LoginAsync("admin");
        await client.StepUpAsync(admin.Token, "admin");
        await client.StepUpAsync(other.Token, "admin");

        ProblemAssert.Ok(await client.LogoutAsync(admin.Token));

        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal([other.Id], await db.StepUps.Select(s => s.SessionId).ToListAsync());
        var succeeded = (await AllEventsAsync(host)).Where(e => e.Action == AuditActions.StepUpSucceeded).ToList();
        Assert.Equal([admin.Id.ToString(), other.Id.ToString()], succeeded.Select(e => e.Details["session_id"]));
    }

    private static void AssertStepUpRequired(KeywardResponse response, string purpose, string? target)
    {
        ProblemAssert.Problem(response, 401, "step_up_required");
        Assert.Equal((purpose, target), response.StepUp);
        Assert.Equal("/session/step-up/begin", response.Json.GetProperty("step_up").GetProperty("begin").GetString());
    }
}
