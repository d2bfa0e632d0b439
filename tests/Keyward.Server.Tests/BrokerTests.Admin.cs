using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Tests;

/// <summary>Operators' API (issue 10 item 6): account disable/enable, account and invite reads, invite revocation.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task Admin_DisableAccount_EndsItsSessionsAtOnceAndRefusesSignInOnlyAfterTheKeyVerified()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob1, bobKey) = await AddUserAsync(broker, "bob");
        var bob2 = await client.LoginAsync("bob", bobKey);

        // A fresh admin session: the one that invited bob is within its admin step-up window.
        var fresh = await client.LoginAsync("admin");
        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/admin/disable", token: bob1.Token), 403, "role_required");
        AssertStepUpRequired(await client.PostAsync("/api/admin/accounts/bob/disable", token: fresh.Token), "admin", null);
        AssertStepUpRequired(await client.PostAsync("/api/admin/accounts/bob/enable", token: fresh.Token), "admin", null);
        ProblemAssert.Ok(await client.StatusAsync(bob1.Token));

        await client.StepUpAsync(admin.Token, "admin");
        var disabled = await client.PostAsync("/api/admin/accounts/bob/disable", token: admin.Token);

        ProblemAssert.Ok(disabled);
        Assert.Equal((true, true, 2), (disabled.Json.GetProperty("disabled").GetBoolean(), disabled.Json.GetProperty("changed").GetBoolean(), disabled.Json.GetProperty("sessions_ended").GetInt32()));
        ProblemAssert.Problem(await client.StatusAsync(bob1.Token), 401, "session_account_disabled");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", bob2.Token), 401, "session_account_disabled");

        // Begin answers as for any account (bob's key, as before the disable): only bob's own key, once it verified,
        // learns that the account is disabled.
        var begin = await client.LoginBeginAsync("bob");
        ProblemAssert.Ok(begin);
        Assert.Equal(1, begin.Json.GetProperty("public_key").GetProperty("allowCredentials").GetArrayLength());
        var (ceremony, assertion) = await client.BeginAndGetAssertionAsync("bob", bobKey);
        var refused = await client.LoginFinishAsync(ceremony, assertion);
        ProblemAssert.Problem(refused, 403, "account_disabled");
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        Assert.False(TokenLeaks.Contains(refused.Body));

        var again = await client.PostAsync("/api/admin/accounts/bob/disable", token: admin.Token);
        Assert.Equal((false, 0), (again.Json.GetProperty("changed").GetBoolean(), again.Json.GetProperty("sessions_ended").GetInt32()));

        var enabled = await client.PostAsync("/api/admin/accounts/bob/enable", token: admin.Token);
        ProblemAssert.Ok(enabled);
        Assert.False(enabled.Json.GetProperty("disabled").GetBoolean());
        ProblemAssert.Ok(await client.StatusAsync((await client.LoginAsync("bob", bobKey)).Token));
        ProblemAssert.Problem(await client.StatusAsync(bob1.Token), 401, "session_account_disabled"); // ended sessions stay ended
        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/nobody/disable", token: admin.Token), 404, "account_not_found");

        var events = await AllEventsAsync(host);
        Assert.Contains(events, e => (e.Action, e.Outcome, e.Target, e.Actor) == (AuditActions.AccountDisabled, AuditOutcomes.Success, "bob", "admin"));
        Assert.Contains(events, e => (e.Action, e.Outcome, e.Target, e.Actor) == (AuditActions.AccountEnabled, AuditOutcomes.Success, "bob", "admin"));
        Assert.Contains(events, e => e.Action == AuditActions.SignInFailed && e.Details.GetValueOrDefault("code") == "account_disabled");
    }

    [Fact]
    public async Task Admin_DisabledAccount_GetsNoNewKeyByRecoveryCodeOrReenrollInvite_UntilEnabled()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var invite = await client.CreateInviteAsync(admin.Token, "bob", "user");
        var codes = (await client.RegisterWithInviteAsync(invite, KeywardTestClient.NewKey())).RecoveryCodes!;
        var reenroll = (await client.Client.WithStepUpAsync(client.Key, admin.Token, () => client.Client.CreateReenrollInviteAsync(admin.Token, "bob"))).Invite;

        // Begun while bob was enabled, finished after the disable: refused at finish too.
        var request = RegistrationRequest.WithRecoveryCode("bob", codes[0], "raced");
        var begun = await client.Client.BeginRegistrationAsync(request);
        await client.StepUpAsync(admin.Token, "admin");
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/disable", token: admin.Token));
        var finished = await Assert.ThrowsAsync<KeywardProblemException>(() =>
            client.Client.FinishRegistrationAsync(begun.CeremonyId, KeywardTestClient.NewKey().MakeCredential(begun.PublicKeyJson, client.Client.Origin), request));
        Assert.Equal((System.Net.HttpStatusCode.Forbidden, "account_disabled"), (finished.Status, finished.Code));

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "bob", ["recovery_code"] = codes[1] }), 403, "account_disabled");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = reenroll }), 403, "account_disabled");

        // A wrong code still says only that the code is wrong: the state is told to a holder of a code alone.
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "bob", ["recovery_code"] = "AAAA-AAAA-AAAA" }), 401, "recovery_code_invalid");

        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/enable", token: admin.Token));
        var recovered = await client.Client.RegisterAsync(KeywardTestClient.NewKey(), RegistrationRequest.WithRecoveryCode("bob", codes[1], "after enable"));
        Assert.Equal("bob", recovered.Account);
        Assert.Contains(await AllEventsAsync(host), e => e.Action == AuditActions.KeyRegistrationFailed && e.Details.GetValueOrDefault("code") == "account_disabled");
    }

    [Fact]
    public async Task Admin_DisabledAccountsSessionThatSurvived_IsRefusedOnItsNextCheck()
    {
        // As another node would see it, or a sign-in that raced the disable: the account is disabled but the session
        // row was never ended. The database check refuses it anyway.
        var broker = await StartWithAdminAsync();
        var (host, client, _) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        await using (var db = host.GetService<KeywardDatabase>().CreateContext())
        {
            await db.Accounts.Where(a => a.Name == "bob").ExecuteUpdateAsync(s => s.SetProperty(a => a.DisabledAt, 1L));
        }

        host.Time.Advance(host.GetService<SessionService>().Options.CacheRevalidateInterval + TimeSpan.FromSeconds(1));

        ProblemAssert.Problem(await client.StatusAsync(bob.Token), 401, "session_account_disabled");
        ProblemAssert.Problem(await client.ProxyAsync("/echo/x", bob.Token), 401, "session_account_disabled");
    }

    [Fact]
    public async Task Admin_DisableLastEnabledAdmin_ReturnsLastAdminAndChangesNothing()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        await client.StepUpAsync(admin.Token, "admin");

        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/admin/disable", token: admin.Token), 409, "last_admin");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));

        // With a second admin, one may go; then the other is the last one (a disabled admin does not count).
        var (root, rootKey) = await AddUserAsync(broker, "root", "admin");
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/admin/disable", token: admin.Token));
        ProblemAssert.Problem(await client.StatusAsync(admin.Token), 401, "session_account_disabled");
        await client.StepUpAsync(root.Token, "admin", key: rootKey);
        ProblemAssert.Problem(await client.PostAsync("/api/admin/accounts/root/disable", token: root.Token), 409, "last_admin");
        ProblemAssert.Ok(await client.StatusAsync(root.Token));
        Assert.Contains(await AllEventsAsync(host), e => (e.Action, e.Outcome, e.Target) == (AuditActions.AccountDisabled, AuditOutcomes.Denied, "root") && e.Details["code"] == "last_admin");
    }

    [Fact]
    public async Task Admin_TwoAdminsDisableEachOtherAtOnce_OneAdminStaysEnabled()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (root, rootKey) = await AddUserAsync(broker, "root", "admin");
        await client.StepUpAsync(admin.Token, "admin");
        await client.StepUpAsync(root.Token, "admin", key: rootKey);

        var both = await Task.WhenAll(
            Task.Run(() => client.PostAsync("/api/admin/accounts/root/disable", token: admin.Token)),
            Task.Run(() => client.PostAsync("/api/admin/accounts/admin/disable", token: root.Token)));

        Assert.True(both.Count(r => r.IsSuccess) <= 1, string.Join(" | ", both.Select(r => r.ToString())));
        await using var db = host.GetService<KeywardDatabase>().CreateContext();
        Assert.Equal(1, await db.Accounts.CountAsync(a => a.Role == "admin" && a.DisabledAt == null));
    }

    [Fact]
    public async Task Admin_Reads_ListAndShowAccountsAndPendingInvitesWithoutStepUpOrTokens()
    {
        var broker = await StartWithAdminAsync();
        var (_, client, _) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        await client.StepUpAsync(broker.Admin.Token, "admin");
        var invite = await client.CreateInviteAsync(broker.Admin.Token, "carol", "user");
        var reenroll = await client.PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = "bob", ["reenroll"] = true }, broker.Admin.Token);
        ProblemAssert.Ok(reenroll);

        // A fresh admin session with no step-up may read.
        var reader = await client.LoginAsync("admin");
        var page = await client.GetAsync("/api/admin/accounts?limit=1", reader.Token);
        ProblemAssert.Ok(page);
        Assert.True(page.Headers.CacheControl?.NoStore);
        var first = page.Json.GetProperty("accounts").EnumerateArray().Single();
        Assert.Equal(("admin", "admin", false, 1), (first.GetProperty("name").GetString(), first.GetProperty("role").GetString(), first.GetProperty("disabled").GetBoolean(), first.GetProperty("key_count").GetInt32()));
        Assert.Equal(2, first.GetProperty("session_count").GetInt32());
        Assert.Equal("admin", page.GetString("next_after"));
        var rest = await client.GetAsync("/api/admin/accounts?limit=1&after=admin", reader.Token);
        Assert.Equal("bob", rest.Json.GetProperty("accounts")[0].GetProperty("name").GetString());
        var end = await client.GetAsync("/api/admin/accounts?after=bob", reader.Token);
        Assert.Equal((0, System.Text.Json.JsonValueKind.Null), (end.Json.GetProperty("accounts").GetArrayLength(), end.Json.GetProperty("next_after").ValueKind));
        ProblemAssert.Problem(await client.GetAsync("/api/admin/accounts?limit=0", reader.Token), 400, "page_invalid");
        ProblemAssert.Problem(await client.GetAsync("/api/admin/accounts?limit=501", reader.Token), 400, "page_invalid");

        var shown = await client.GetAsync("/api/admin/accounts/bob", reader.Token);
        ProblemAssert.Ok(shown);
        Assert.True(shown.Headers.CacheControl?.NoStore);
        Assert.Equal("user", shown.GetString("role"));
        Assert.Single(shown.Json.GetProperty("keys").EnumerateArray());
        var session = shown.Json.GetProperty("sessions").EnumerateArray().Single();
        Assert.Equal(bob.Id, session.GetProperty("id").GetGuid());
        ProblemAssert.Problem(await client.GetAsync("/api/admin/accounts/nobody", reader.Token), 404, "account_not_found");

        var invites = await client.GetAsync("/api/admin/invites", reader.Token);
        ProblemAssert.Ok(invites);
        Assert.True(invites.Headers.CacheControl?.NoStore);
        Assert.DoesNotContain("kwi_", invites.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(invite, invites.Body, StringComparison.Ordinal);
        var listed = invites.Json.EnumerateArray().ToList();
        Assert.Equal([("carol", false, "admin"), ("bob", true, "admin")], listed.Select(i => (i.GetProperty("account_name").GetString(), i.GetProperty("reenroll").GetBoolean(), i.GetProperty("created_by").GetString())));

        // Non-admins may not read.
        ProblemAssert.Problem(await client.GetAsync("/api/admin/accounts", bob.Token), 403, "role_required");
        ProblemAssert.Problem(await client.GetAsync("/api/admin/accounts/admin", bob.Token), 403, "role_required");
        ProblemAssert.Problem(await client.GetAsync("/api/admin/invites", bob.Token), 403, "role_required");
    }

    [Fact]
    public async Task Admin_RevokeInvite_NeedsStepUpAndMakesTheInviteUnusable()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        var invite = await client.CreateInviteAsync(admin.Token, "carol", "user");
        var id = (await client.GetAsync("/api/admin/invites", admin.Token)).Json[0].GetProperty("id").GetGuid();

        var fresh = await client.LoginAsync("admin");
        AssertStepUpRequired(await client.PostAsync($"/api/admin/invites/{id}/revoke", token: fresh.Token), "admin", null);
        ProblemAssert.Problem(await client.PostAsync($"/api/admin/invites/{id}/revoke", token: bob.Token), 403, "role_required");
        Assert.Equal(1, (await client.GetAsync("/api/admin/invites", admin.Token)).Json.GetArrayLength());

        var revoked = await client.PostAsync($"/api/admin/invites/{id}/revoke", token: admin.Token);
        Assert.Equal(204, revoked.StatusCode);
        Assert.Equal(0, (await client.GetAsync("/api/admin/invites", admin.Token)).Json.GetArrayLength());
        ProblemAssert.Problem(await client.PostAsync($"/api/admin/invites/{id}/revoke", token: admin.Token), 404, "invite_not_found");
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["invite"] = invite }), 401, "invite_invalid");
        Assert.Contains(await AllEventsAsync(host), e => (e.Action, e.Outcome, e.Target) == (AuditActions.InviteRevoked, AuditOutcomes.Success, id.ToString()));
    }
}
