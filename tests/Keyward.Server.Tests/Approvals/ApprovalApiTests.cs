using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Core.Quorum;
using Keyward.Core.Vault;
using Keyward.Server.Approvals;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Approvals;

/// <summary>
/// M-of-N approvals over HTTP with real WebAuthn assertions (issue 12, items 2 and 7(d)): policies, proposals, votes,
/// exactly-once application, and every refusal a vote can meet.
/// </summary>
public sealed class ApprovalApiTests : IAsyncLifetime
{
    private const string Policy = "quorum";
    private ApprovalHost _keyward = null!;
    private Approver _alice = null!;
    private Approver _bob = null!;
    private Approver _carol = null!;

    public async Task InitializeAsync()
    {
        _keyward = await ApprovalHost.StartAsync();
        _alice = await _keyward.AddApproverAsync("alice");
        _bob = await _keyward.AddApproverAsync("bob");
        _carol = await _keyward.AddApproverAsync("carol");
    }

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    private Task<Guid> TwoOfTwoAsync(params string[] kinds) =>
        _keyward.PolicyAsync(Policy, kinds.Length == 0 ? ["add_approver", "remove_approver", "change_threshold"] : kinds, [("security", 2, [_alice, _bob])]);

    private Task<Guid> TwoOfThreeAsync() =>
        _keyward.PolicyAsync(Policy, ["add_approver", "remove_approver", "change_threshold"], [("security", 2, [_alice, _bob, _carol])]);

    private async Task<Guid> AddCarolAsync(Guid policy) =>
        await _keyward.ProposeIdAsync(_alice.Session, "add_approver", policy.ToString(), new() { ["group"] = "security", ["account"] = await _keyward.AccountIdAsync("carol") });

    [Fact]
    public async Task Vote_TwoOfTwo_ConcurrentFinalVotes_ApplyExactlyOnce()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        var aliceSigned = await _keyward.SignAsync(_alice.Session, _alice.Key, request);
        var bobSigned = await _keyward.SignAsync(_bob.Session, _bob.Key, request);

        var votes = await Task.WhenAll(_keyward.FinishAsync(_alice.Session, request, aliceSigned), _keyward.FinishAsync(_bob.Session, request, bobSigned));

        Assert.All(votes, v => Assert.Equal(200, v.StatusCode));
        Assert.Single(votes, v => v.Json.GetProperty("applied").GetBoolean());
        var shown = await _keyward.ShowAsync(_alice.Session, request);
        Assert.Equal("applied", shown.Json.GetProperty("state").GetString());
        var policies = await _keyward.Client.GetAsync("/api/approvals/policies", _alice.Session.Token);
        var approvers = policies.Json.GetProperty("policies")[0].GetProperty("groups")[0].GetProperty("approvers").EnumerateArray().Select(a => a.GetProperty("account_name").GetString()).ToList();
        Assert.Equal(["alice", "bob", "carol"], approvers.Order());
        var events = await _keyward.EventsAsync();
        Assert.Single(events, e => e.Action == ApprovalAuditActions.Applied && e.Target == request.ToString());
        Assert.Equal(2, events.Count(e => e.Action == ApprovalAuditActions.Voted && e.Target == request.ToString() && e.Details.ContainsKey("authenticator_id") && e.Details.ContainsKey("sign_count")));
    }

    [Fact]
    public async Task Vote_ReplayedAfterApplication_IsApprovalReplayed()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        var aliceSigned = await _keyward.SignAsync(_alice.Session, _alice.Key, request);
        ProblemAssert.Ok(await _keyward.FinishAsync(_alice.Session, request, aliceSigned));
        ProblemAssert.Ok(await _keyward.VoteAsync(_bob, request));

        ProblemAssert.Problem(await _keyward.FinishAsync(_alice.Session, request, aliceSigned), 409, "approval_replayed");
        ProblemAssert.Problem(await _keyward.Client.PostAsync($"/api/approvals/{request}/vote/begin", token: _bob.Session.Token), 409, "approval_replayed");
        var refused = (await _keyward.EventsAsync()).Where(e => e.Action == ApprovalAuditActions.Refused).ToList();
        Assert.Contains(refused, e => e.Details["code"] == "approval_replayed");
    }

    [Fact]
    public async Task Vote_AnApprovalOfAnotherOperation_IsApprovalOtherOperation_AndCountsNothing()
    {
        var policy = await TwoOfThreeAsync();
        var one = await _keyward.ProposeIdAsync(_alice.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "3" });
        var two = await _keyward.ProposeIdAsync(_alice.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "1" });
        var forOne = await _keyward.SignAsync(_bob.Session, _bob.Key, one);

        ProblemAssert.Problem(await _keyward.FinishAsync(_bob.Session, two, forOne), 403, "approval_other_operation");
        Assert.Empty((await _keyward.ShowAsync(_bob.Session, two)).Json.GetProperty("votes").EnumerateArray());
    }

    [Fact]
    public async Task Vote_FromARemovedApprover_IsApproverRemoved()
    {
        var policy = await TwoOfThreeAsync();
        var remove = await _keyward.ProposeIdAsync(_alice.Session, "remove_approver", policy.ToString(), new() { ["group"] = "security", ["account"] = await _keyward.AccountIdAsync("carol") });
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, remove));
        Assert.True((await _keyward.VoteAsync(_bob, remove)).Json.GetProperty("applied").GetBoolean());
        var next = await _keyward.ProposeIdAsync(_alice.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "1" });

        // carol still sees the request (she proposed nothing and approves nothing now), so begin is refused for her: sign with alice's options instead.
        var signed = _carol.Key.GetAssertion(OptionsFor(await _keyward.ShowAsync(_alice.Session, next)), _keyward.Client.Origin);
        ProblemAssert.Problem(await _keyward.FinishAsync(_carol.Session, next, signed), 403, "approver_removed");
    }

    [Fact]
    public async Task Vote_ACloneWhoseCounterDidNotIncrease_IsApproverKeyCloned()
    {
        var policy = await TwoOfThreeAsync();
        using var folder = new Keyward.Testing.TempDirectory("keyward-clone-");
        var file = Path.Combine(folder.Path, "alice.key");
        _alice.Key.Save(file, "passphrase");
        var clone = VirtualAuthenticator.Load(file, "passphrase");
        var one = await _keyward.ProposeIdAsync(_bob.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "3" });
        var two = await _keyward.ProposeIdAsync(_carol.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "1" });
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, one));

        ProblemAssert.Problem(await _keyward.VoteAsync(_alice, two, clone), 403, "approver_key_cloned");
    }

    [Fact]
    public async Task Vote_SameAccountWithASecondKey_IsApprovalDuplicateAccount_SameKeyTwice_IsDuplicateAuthenticator()
    {
        var policy = await TwoOfThreeAsync();
        var second = Keyward.Testing.Hosting.KeywardTestClient.NewKey();
        await _keyward.Client.AddKeyAsync(_alice.Session.Token, second, "second", _alice.Key);
        var request = await _keyward.ProposeIdAsync(_bob.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "3" });
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));

        ProblemAssert.Problem(await _keyward.VoteAsync(_alice, request), 409, "approval_duplicate_authenticator");
        ProblemAssert.Problem(await _keyward.VoteAsync(_alice, request, second), 409, "approval_duplicate_account");
        Assert.Single((await _keyward.ShowAsync(_bob.Session, request)).Json.GetProperty("votes").EnumerateArray());
    }

    [Fact]
    public async Task Vote_BackupEligibleKey_IsRefusedUnlessThePolicyAllowsSyncedPasskeys()
    {
        var synced = await _keyward.AddApproverAsync("dave", new VirtualAuthenticatorOptions { BackupEligible = true, BackedUp = true });
        var strict = await _keyward.PolicyAsync("strict", ["add_approver"], [("security", 1, [synced, _alice])]);
        var lenient = await _keyward.PolicyAsync("lenient", ["change_threshold"], [("security", 1, [synced, _bob])], allowSynced: true);
        var add = await _keyward.ProposeIdAsync(_carol.Session, "add_approver", strict.ToString(), new() { ["group"] = "security", ["account"] = await _keyward.AccountIdAsync("carol") });
        var threshold = await _keyward.ProposeIdAsync(_carol.Session, "change_threshold", lenient.ToString(), new() { ["group"] = "security", ["threshold"] = "2" });

        ProblemAssert.Problem(await _keyward.VoteAsync(synced, add), 403, "approver_key_synced");
        Assert.True((await _keyward.VoteAsync(synced, threshold)).Json.GetProperty("applied").GetBoolean());
    }

    [Fact]
    public async Task Vote_AfterTheLifetime_IsApprovalExpired_AndTheSweepExpiresAndAuditsIt()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        var signed = await _keyward.SignAsync(_alice.Session, _alice.Key, request);
        _keyward.Time.Advance(TimeSpan.FromHours(24));
        var alice = await _keyward.Client.LoginAsync("alice", _alice.Key);

        ProblemAssert.Problem(await _keyward.FinishAsync(alice, request, signed), 409, "approval_expired");
        ProblemAssert.Problem(await _keyward.Client.PostAsync($"/api/approvals/{request}/vote/begin", token: alice.Token), 409, "approval_expired");

        // The clock's advance also wakes the background sweep; whichever sweep marks it reports it, once.
        await _keyward.Host.GetRequiredService<ApprovalSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal("expired", (await _keyward.ShowAsync(alice, request)).Json.GetProperty("state").GetString());
        var expired = await EventuallyAsync(async () => (await _keyward.EventsAsync()).Where(e => e.Action == ApprovalAuditActions.Expired && e.Target == request.ToString()).ToList());
        Assert.Single(expired);
        Assert.Empty(await _keyward.Host.GetRequiredService<ApprovalSweeper>().SweepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Withdraw_ByTheProposer_EndsIt_ByAnotherAccount_IsApprovalNotWithdrawable()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);

        ProblemAssert.Problem(await _keyward.Client.PostAsync($"/api/approvals/{request}/withdraw", token: _bob.Session.Token), 403, "approval_not_withdrawable");
        var withdrawn = await _keyward.Client.PostAsync($"/api/approvals/{request}/withdraw", token: _alice.Session.Token);
        Assert.Equal("withdrawn", withdrawn.Json.GetProperty("state").GetString());
        ProblemAssert.Problem(await _keyward.Client.PostAsync($"/api/approvals/{request}/vote/begin", token: _bob.Session.Token), 409, "approval_withdrawn");
    }

    [Fact]
    public async Task Deny_ByAnApprover_EndsIt_ByAnotherAccount_IsApprovalNotDeniable()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        var signed = await _keyward.SignAsync(_alice.Session, _alice.Key, request);

        ProblemAssert.Problem(await _keyward.Client.PostAsync($"/api/approvals/{request}/deny", token: _carol.Session.Token), 403, "approval_not_deniable");
        Assert.Equal("denied", (await _keyward.Client.PostAsync($"/api/approvals/{request}/deny", token: _bob.Session.Token)).Json.GetProperty("state").GetString());
        ProblemAssert.Problem(await _keyward.FinishAsync(_alice.Session, request, signed), 409, "approval_denied");
        Assert.Single(await _keyward.EventsAsync(), e => e.Action == ApprovalAuditActions.Denied);
    }

    [Fact]
    public async Task Vote_WithAnotherAccountsAssertion_IsApprovalKeyNotOwn()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        var alices = await _keyward.SignAsync(_alice.Session, _alice.Key, request);

        ProblemAssert.Problem(await _keyward.FinishAsync(_bob.Session, request, alices), 403, "approval_key_not_own");
    }

    [Fact]
    public async Task List_ShowsWhatAwaitsMyVote_AndWhatIProposed_InPlainWords()
    {
        var policy = await TwoOfTwoAsync();
        var request = await AddCarolAsync(policy);
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));

        var bobs = await _keyward.Client.GetAsync("/api/approvals", _bob.Session.Token);
        var alices = await _keyward.Client.GetAsync("/api/approvals", _alice.Session.Token);

        var awaiting = Assert.Single(bobs.Json.GetProperty("awaiting_my_vote").EnumerateArray());
        Assert.Contains("Add account carol", awaiting.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64}$", awaiting.GetProperty("operation_digest").GetString()!);
        Assert.Empty(alices.Json.GetProperty("awaiting_my_vote").EnumerateArray());
        Assert.Equal(request, Assert.Single(alices.Json.GetProperty("proposed_by_me").EnumerateArray()).GetProperty("id").GetGuid());
        ProblemAssert.Problem(await _keyward.ShowAsync(_carol.Session, request), 404, "approval_unknown");
    }

    [Fact]
    public async Task AntiStranding_EveryRefusal_IsReachableOverHttp()
    {
        ProblemAssert.Problem(await _keyward.CreatePolicyAsync("too-high", ["add_approver"], [("security", 3, [_alice, _bob])]), 409, "approval_threshold_above_approvers");
        ProblemAssert.Problem(await _keyward.CreatePolicyAsync("zero", ["add_approver"], [("security", 0, [_alice, _bob])]), 400, "approval_threshold_below_one");
        var policy = await TwoOfTwoAsync();

        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "3" }), 409, "approval_threshold_above_approvers");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "change_threshold", policy.ToString(), new() { ["group"] = "security", ["threshold"] = "0" }), 400, "approval_threshold_below_one");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "remove_approver", policy.ToString(), new() { ["group"] = "security", ["account"] = await _keyward.AccountIdAsync("bob") }), 409, "approval_would_strand");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "add_admin_key", "key", []), 409, "approval_policy_missing");

        // A forced removal (a lost key) strands the policy: proposals under it are refused.
        await _keyward.Host.GetRequiredService<ApprovalPolicyService>().ForceRemoveApproverAsync(Guid.Parse(await _keyward.AccountIdAsync("bob")));
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "add_approver", policy.ToString(), new() { ["group"] = "security", ["account"] = await _keyward.AccountIdAsync("carol") }), 409, "approval_policy_stranded");
    }

    [Fact]
    public async Task CreatePolicy_WithoutAdminStepUp_IsStepUpRequired_AndByAUser_IsForbidden()
    {
        var body = new JsonObject { ["name"] = "p", ["kinds"] = new JsonArray("add_approver"), ["groups"] = new JsonArray() };
        _keyward.Time.Advance(TimeSpan.FromMinutes(6)); // past the admin step-up the invites took

        ProblemAssert.Problem(await _keyward.Client.PostAsync("/api/approvals/policies", body, _keyward.Admin.Token), 401, "step_up_required");
        Assert.Equal(403, (await _keyward.Client.PostAsync("/api/approvals/policies", body, _alice.Session.Token)).StatusCode);
    }

    [Fact]
    public async Task SensitiveRead_ApprovedByQuorum_IsOneUnspentGrant_SpentOnceUnderConcurrentReads()
    {
        await TwoOfTwoAsync("read_sensitive_secret");
        var actor = Guid.NewGuid();
        var request = await _keyward.ProposeIdAsync(_carol.Session, "read_sensitive_secret", "db/prod", new() { ["actor"] = actor.ToString(), ["data_class"] = "credential" });
        var grants = _keyward.Host.GetRequiredService<SensitiveReadGrants>();
        var carol = Guid.Parse(await _keyward.AccountIdAsync("carol"));
        Assert.False(await grants.HasUnspentAsync(carol, actor, VaultDataClass.Credential, "db/prod"));
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        ProblemAssert.Ok(await _keyward.VoteAsync(_bob, request));

        Assert.False(await grants.HasUnspentAsync(carol, Guid.NewGuid(), VaultDataClass.Credential, "db/prod"));
        Assert.False(await grants.HasUnspentAsync(carol, actor, VaultDataClass.Credential, "db/other"));
        Assert.False(await grants.HasUnspentAsync(Guid.NewGuid(), actor, VaultDataClass.Credential, "db/prod"));
        Assert.True(await grants.HasUnspentAsync(carol, actor, VaultDataClass.Credential, "db/prod"));
        var seam = _keyward.Host.GetRequiredService<ISensitiveReadApprovals>();
        var address = new VaultAddress(Keyward.Core.Storage.Tenants.Default, VaultDataClass.Credential, carol, actor, "db/prod");
        var spends = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => seam.TrySpendAsync(address).AsTask()));
        Assert.Single(spends, taken => taken);
        Assert.False(await grants.SpendAsync(carol, actor, VaultDataClass.Credential, "db/prod"));
        Assert.False(await grants.HasUnspentAsync(address));
        ProblemAssert.Problem(await _keyward.ProposeAsync(_carol.Session, "read_sensitive_secret", "db/prod", new() { ["actor"] = actor.ToString(), ["data_class"] = "memory" }), 400, "approval_operation_invalid");
    }

    /// <summary>Reads until the list is not empty; a generous bound so a missing event fails instead of hanging (not a latency assertion).</summary>
    private static async Task<List<T>> EventuallyAsync<T>(Func<Task<List<T>>> read)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await read() is { Count: > 0 } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        return await read();
    }

    private static string OptionsFor(Keyward.Client.KeywardResponse shown) => new JsonObject
    {
        ["challenge"] = shown.Json.GetProperty("challenge").GetString(),
        ["rpId"] = "localhost",
        ["userVerification"] = "required",
    }.ToJsonString();
}
