using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Core.Accounts;
using Keyward.Core.Quorum;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests.Approvals;

/// <summary>
/// Admin keys under a quorum (docs/approvals.md, "Admin keys"): add_admin_key and remove_admin_key applied by a quorum
/// over HTTP; the direct accounts API refused while they are governed; the forced removal of a lost key always done,
/// removing an approver left without an accepted key (stranding its policy); votes of a removed key no longer count.
/// </summary>
public sealed class AdminKeyApprovalTests : IAsyncLifetime
{
    private ApprovalHost _keyward = null!;
    private Approver _alice = null!;
    private Approver _bob = null!;

    public async Task InitializeAsync()
    {
        _keyward = await ApprovalHost.StartAsync();
        _alice = await _keyward.AddApproverAsync("alice");
        _bob = await _keyward.AddApproverAsync("bob");
    }

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    private KeywardTestClient Client => _keyward.Client;

    [Fact]
    public async Task AddAdminKey_Governed_DirectAddIsApprovalRequired_AnApprovalAddsExactlyOneKey_AUserAddsFreely()
    {
        await _keyward.PolicyAsync("admin-keys", ["add_admin_key", "remove_admin_key"], [("security", 2, [_alice, _bob])]);
        var admin = await _keyward.AccountIdAsync("admin");

        var direct = await Assert.ThrowsAsync<KeywardProblemException>(() => Client.AddKeyAsync(_keyward.Admin.Token, KeywardTestClient.NewKey(), "unapproved"));
        Assert.Equal("approval_required", direct.Code);
        ProblemAssert.Problem(await _keyward.ProposeAsync(_keyward.Admin, "add_admin_key", await _keyward.AccountIdAsync("alice"), []), 400, "approval_operation_invalid");
        var request = await _keyward.ProposeIdAsync(_keyward.Admin, "add_admin_key", admin, []);
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        var stillDirect = await Assert.ThrowsAsync<KeywardProblemException>(() => Client.AddKeyAsync(_keyward.Admin.Token, KeywardTestClient.NewKey(), "half-approved"));
        Assert.Equal("approval_required", stillDirect.Code);
        Assert.True((await _keyward.VoteAsync(_bob, request)).Json.GetProperty("applied").GetBoolean());

        await Client.AddKeyAsync(_keyward.Admin.Token, KeywardTestClient.NewKey(), "approved");
        var spent = await Assert.ThrowsAsync<KeywardProblemException>(() => Client.AddKeyAsync(_keyward.Admin.Token, KeywardTestClient.NewKey(), "second on one approval"));

        Assert.Equal("approval_required", spent.Code);
        Assert.Equal(["primary", "approved"], (await KeysAsync("admin")).Select(k => k.Name));
        Assert.Equal("spent", (await _keyward.ShowAsync(_keyward.Admin, request)).Json.GetProperty("state").GetString());
        await Client.AddKeyAsync(_alice.Session.Token, KeywardTestClient.NewKey(), "alice's spare", _alice.Key);
        Assert.Contains(await _keyward.EventsAsync(), e => e.Action == "key.registration_failed" && e.Details.GetValueOrDefault("code") == "approval_required");
    }

    [Fact]
    public async Task RemoveAdminKey_Governed_DirectRemovalIsApprovalRequired_ByQuorumRemovesTheKeyAndEndsItsSessions()
    {
        var spareKey = KeywardTestClient.NewKey();
        var spare = await Client.AddKeyAsync(_keyward.Admin.Token, spareKey, "spare");
        var spareSession = await Client.LoginAsync("admin", spareKey);
        await _keyward.PolicyAsync("admin-keys", ["remove_admin_key"], [("security", 2, [_alice, _bob])]);
        var admin = await _keyward.AccountIdAsync("admin");

        await Client.StepUpAsync(_keyward.Admin.Token, "key.remove", spare.Key.Id.ToString());
        ProblemAssert.Problem(await Client.DeleteAsync($"/api/keys/{spare.Key.Id}", _keyward.Admin.Token), 403, "approval_required");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_keyward.Admin, "remove_admin_key", spare.Key.Id.ToString(), new() { ["account"] = await _keyward.AccountIdAsync("alice") }), 400, "approval_operation_invalid");
        var request = await _keyward.ProposeIdAsync(_keyward.Admin, "remove_admin_key", spare.Key.Id.ToString(), new() { ["account"] = admin });
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        Assert.Equal(2, (await KeysAsync("admin")).Count);
        ProblemAssert.Ok(await Client.GetAsync("/api/keys", spareSession.Token));
        Assert.True((await _keyward.VoteAsync(_bob, request)).Json.GetProperty("applied").GetBoolean());

        Assert.Equal(["primary"], (await KeysAsync("admin")).Select(k => k.Name));
        Assert.Equal(401, (await Client.GetAsync("/api/keys", spareSession.Token)).StatusCode);
        ProblemAssert.Ok(await Client.GetAsync("/api/keys", _keyward.Admin.Token));
        ProblemAssert.Problem(await _keyward.ProposeAsync(_keyward.Admin, "remove_admin_key", (await KeysAsync("admin"))[0].Id.ToString(), new() { ["account"] = admin }), 400, "approval_operation_invalid");
    }

    [Fact]
    public async Task RemoveKey_LostWhileGoverned_GoesWithoutAQuorum()
    {
        var spare = await Client.AddKeyAsync(_keyward.Admin.Token, KeywardTestClient.NewKey(), "spare");
        await _keyward.PolicyAsync("admin-keys", ["remove_admin_key"], [("security", 2, [_alice, _bob])]);

        await Client.StepUpAsync(_keyward.Admin.Token, "key.remove", spare.Key.Id.ToString());
        ProblemAssert.Ok(await Client.DeleteAsync($"/api/keys/{spare.Key.Id}?lost=true", _keyward.Admin.Token));

        Assert.Equal(["primary"], (await KeysAsync("admin")).Select(k => k.Name));
        Assert.Contains(await _keyward.EventsAsync(), e => e.Action == "key.removed" && e.Details.GetValueOrDefault("lost") == "true");
    }

    [Fact]
    public async Task RemoveKey_AnApproversLastAcceptedKey_IsWouldStrand_UnlessLost_ThenTheApproverLeavesAndThePolicyStrands()
    {
        // Bob's second key is a synced passkey: the hardware-only policy does not accept it, the other one does.
        var synced = KeywardTestClient.NewKey(new VirtualAuthenticatorOptions { BackupEligible = true, BackedUp = true });
        await Client.AddKeyAsync(_bob.Session.Token, synced, "synced", _bob.Key);
        var bobKeys = await KeysAsync("bob");
        var hardware = bobKeys.Single(k => !k.BackupEligible).Id;
        var strict = await _keyward.PolicyAsync("strict", ["add_approver"], [("security", 2, [_alice, _bob])]);
        var relaxed = await _keyward.PolicyAsync("relaxed", ["change_threshold"], [("security", 2, [_alice, _bob])], allowSynced: true);
        var pending = await _keyward.ProposeIdAsync(_alice.Session, "change_threshold", relaxed.ToString(), new() { ["group"] = "security", ["threshold"] = "1" });
        ProblemAssert.Ok(await _keyward.VoteAsync(_bob, pending));

        await Client.StepUpAsync(_bob.Session.Token, "key.remove", hardware.ToString(), _bob.Key);
        ProblemAssert.Problem(await Client.DeleteAsync($"/api/keys/{hardware}", _bob.Session.Token), 409, "approval_would_strand");
        Assert.Equal(2, (await KeysAsync("bob")).Count);
        ProblemAssert.Ok(await Client.DeleteAsync($"/api/keys/{hardware}?lost=true", _bob.Session.Token));

        var policies = _keyward.Host.GetRequiredService<ApprovalPolicyService>();
        var bob = Guid.Parse(await _keyward.AccountIdAsync("bob"));
        var strictNow = (await policies.GetAsync(strict))!;
        Assert.True(strictNow.Stranded);
        Assert.DoesNotContain(strictNow.Groups.Single().Approvers, a => a.AccountId == bob);
        Assert.NotNull((await policies.GetAsync(relaxed))!.ActiveGroupOf(bob));
        var removed = Assert.Single(await _keyward.EventsAsync(), e => e.Action == "approval.approver_force_removed");
        Assert.Equal(strict.ToString(), removed.Details["stranded"]);
        Assert.Equal(hardware.ToString(), removed.Details["authenticator_id"]);

        // The removed key's vote no longer counts: alice's approval leaves one missing, and bob votes again with his synced key.
        Assert.False((await _keyward.VoteAsync(_alice, pending)).Json.GetProperty("applied").GetBoolean());
        var bobSynced = new Approver("bob", await Client.LoginAsync("bob", synced), synced);
        Assert.True((await _keyward.VoteAsync(bobSynced, pending)).Json.GetProperty("applied").GetBoolean());
    }

    private async Task<List<Keyward.Core.Storage.AuthenticatorEntity>> KeysAsync(string account)
    {
        var accounts = _keyward.Host.GetRequiredService<AccountService>();
        return await accounts.ListAuthenticatorsAsync((await accounts.FindAccountAsync(account))!.Id);
    }
}
