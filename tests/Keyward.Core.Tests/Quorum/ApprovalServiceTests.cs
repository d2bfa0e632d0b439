using Keyward.Authenticator;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Tests.Quorum;

/// <summary><see cref="ApprovalService"/>: propose, approve with real WebAuthn assertions, apply once, and every refusal of issue 12 item 7(d).</summary>
public sealed class ApprovalServiceTests : IAsyncLifetime
{
    private QuorumStore _store = null!;
    private readonly CountingApplier _epochs = new();
    private Approver _alice = null!, _bob = null!, _carol = null!;
    private ApprovalPolicy _policy = null!;

    public async Task InitializeAsync()
    {
        _store = await QuorumStore.CreateAsync();
        _alice = await _store.ApproverAsync("alice");
        _bob = await _store.ApproverAsync("bob");
        _carol = await _store.ApproverAsync("carol");
        _policy = await PolicyAsync(2, [_alice, _bob, _carol]);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<ApprovalPolicy> PolicyAsync(int threshold, Approver[] approvers, bool allowSynced = false, OperationKind[]? kinds = null)
    {
        var created = await _store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "policy-" + Guid.NewGuid().ToString("N")[..8],
            Kinds = kinds ?? [OperationKind.AdvanceKeyEpoch, OperationKind.ChangeThreshold, OperationKind.RemoveApprover, OperationKind.AddApprover],
            Groups = [new("security", threshold, [.. approvers.Select(a => a.Id)])],
            AllowSyncedPasskeys = allowSynced,
        });
        Assert.True(created.Succeeded, created.Failure?.ToString());
        return created.Value;
    }

    private ApprovalService Service() => _store.Approvals(_epochs);

    private static ApprovalOperation Epoch(string target = "vault") => ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, target).Value;

    private async Task<ApprovalRequest> ProposeAsync(ApprovalOperation? operation = null, Guid? operatorId = null)
    {
        var proposed = await Service().ProposeAsync(operation ?? Epoch(), operatorId ?? _alice.Id, _alice.Id);
        Assert.True(proposed.Succeeded, proposed.Failure?.ToString());
        return proposed.Value;
    }

    private async Task<string?> RefusalAsync(ApprovalRequest request, Keyward.WebAuthn.AuthenticationCredential assertion)
    {
        var vote = await Service().VoteAsync(request.Id, assertion);
        Assert.False(vote.Succeeded);
        return vote.Failure.Code;
    }

    private async Task<VoteOutcome> VoteAsync(ApprovalRequest request, Approver approver, int key = 0)
    {
        var vote = await Service().VoteAsync(request.Id, approver.Approve(request, key));
        Assert.True(vote.Succeeded, vote.Failure?.ToString());
        return vote.Value;
    }

    [Fact]
    public async Task ProposeAsync_BindsTheChallengeToOperationNonceAndInstance_ForTwentyFourHours()
    {
        var request = await ProposeAsync();

        Assert.Equal(OperationCanonical.Challenge(Epoch().Canonical, 0, QuorumStore.InstanceId), request.Challenge);
        Assert.Equal((ApprovalStates.Pending, _policy.Id, 0L), (request.State, request.PolicyId, request.Nonce));
        Assert.Equal(_store.Time.GetUtcNow() + TimeSpan.FromHours(24), request.ExpiresAt);
    }

    [Fact]
    public async Task VoteAsync_TwoOfThree_AppliesOnTheSecond_AndBumpsTheNonce()
    {
        var request = await ProposeAsync();

        var first = await VoteAsync(request, _alice);
        Assert.False(first.Applied);
        Assert.Equal(1, first.Missing["security"]);
        Assert.Equal(0, _epochs.Applied);

        var second = await VoteAsync(request, _bob);
        Assert.True(second.Applied);
        Assert.Empty(second.Missing);
        Assert.Equal(1, _epochs.Applied);
        Assert.Equal(1, await _store.NonceAsync(_alice.Id));
        Assert.Equal(ApprovalStates.Applied, (await _store.RequestRowAsync(request.Id)).State);
        Assert.Equal((uint)1, second.SignCount);
    }

    [Fact]
    public async Task VoteAsync_GroupsAreAnded_TwoOfSecurityAndOneOfOwners()
    {
        var dave = await _store.ApproverAsync("dave");
        var created = await _store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "anded",
            Kinds = [OperationKind.ReadSensitiveSecret],
            Groups = [new("security", 2, [_alice.Id, _bob.Id, _carol.Id]), new("owners", 1, [dave.Id])],
        });
        var reads = new CountingApplier(OperationKind.ReadSensitiveSecret);
        var service = _store.Approvals(reads);
        var request = (await service.ProposeAsync(ApprovalOperation.Create(OperationKind.ReadSensitiveSecret, "credential/github").Value, _alice.Id, _alice.Id)).Value;

        Assert.False((await service.VoteAsync(request.Id, _alice.Approve(request))).Value.Applied);
        var afterTwo = (await service.VoteAsync(request.Id, _bob.Approve(request))).Value;
        Assert.False(afterTwo.Applied);
        Assert.Equal(new Dictionary<string, int> { ["owners"] = 1 }, afterTwo.Missing);
        Assert.True((await service.VoteAsync(request.Id, dave.Approve(request))).Value.Applied);
        Assert.Equal(1, reads.Applied);
        Assert.True(created.Succeeded);
    }

    [Fact]
    public async Task VoteAsync_OnAnAppliedRequest_IsReplayed()
    {
        var request = await ProposeAsync();
        await VoteAsync(request, _alice);
        await VoteAsync(request, _bob);

        Assert.Equal("approval_replayed", await RefusalAsync(request, _carol.Approve(request)));
        Assert.Equal(1, _epochs.Applied);
    }

    [Fact]
    public async Task VoteAsync_AnApprovalOfAnAppliedRequest_ReplayedOnTheSameOperationProposedAgain_IsReplayed()
    {
        var first = await ProposeAsync();
        var kept = _carol.Approve(first);
        await VoteAsync(first, _alice);
        await VoteAsync(first, _bob);

        var again = await ProposeAsync();

        Assert.NotEqual(first.Challenge, again.Challenge);
        Assert.Equal("approval_replayed", await RefusalAsync(again, kept));
    }

    [Fact]
    public async Task VoteAsync_AnApprovalOfAnotherOperation_IsRefused()
    {
        var epoch = await ProposeAsync(Epoch("vault"));
        var other = await ProposeAsync(Epoch("vault-2"));

        Assert.Equal("approval_other_operation", await RefusalAsync(epoch, _alice.Approve(other)));
        Assert.Equal("approval_other_operation", await RefusalAsync(epoch, _alice.Sign(OperationCanonical.Challenge(Epoch("vault").Canonical, 0, "another-instance"))));
    }

    [Fact]
    public async Task VoteAsync_ByAnAccountThatIsNotAnApprover_IsApproverRemoved()
    {
        var mallory = await _store.ApproverAsync("mallory");
        var request = await ProposeAsync();

        Assert.Equal("approver_removed", await RefusalAsync(request, mallory.Approve(request)));
    }

    [Fact]
    public async Task VoteAsync_ByAForceRemovedApprover_IsApproverRemoved_AndItsEarlierVoteNoLongerCounts()
    {
        var request = await ProposeAsync();
        await VoteAsync(request, _alice);

        Assert.Empty(await _store.Policies().ForceRemoveApproverAsync(_alice.Id));

        Assert.Equal("approver_removed", await RefusalAsync(request, _alice.Approve(request)));
        var bobs = await VoteAsync(request, _bob);
        Assert.False(bobs.Applied);
        Assert.True((await VoteAsync(request, _carol)).Applied);
    }

    [Fact]
    public async Task VoteAsync_ByADisabledApproverOrAccount_IsApproverRemoved()
    {
        var request = await ProposeAsync();
        Assert.Null(await _store.Policies().DisableApproverAsync(_policy.Id, _alice.Id));
        await _store.DisableAccountAsync(_bob.Id);

        Assert.Equal("approver_removed", await RefusalAsync(request, _alice.Approve(request)));
        Assert.Equal("approver_removed", await RefusalAsync(request, _bob.Approve(request)));
    }

    [Fact]
    public async Task VoteAsync_ACloneWhoseCounterDidNotIncrease_IsRefused()
    {
        using var folder = new Keyward.Testing.TempDirectory("keyward-clone-");
        var file = Path.Combine(folder.Path, "key.kwkey");
        _alice.Key.Save(file, "passphrase");
        var clone = VirtualAuthenticator.Load(file, "passphrase");
        var first = await ProposeAsync();
        await VoteAsync(first, _alice);
        await VoteAsync(first, _bob);
        var second = await ProposeAsync();

        var cloned = QuorumStore.Sign(clone, _alice.KeyRow.CredentialId, second.Challenge);

        Assert.Equal("approver_key_cloned", await RefusalAsync(second, cloned));
    }

    [Fact]
    public async Task VoteAsync_ACloneFlaggedByALenientRelyingParty_IsStillRefused()
    {
        _store.AcceptAndFlagClones();
        using var folder = new Keyward.Testing.TempDirectory("keyward-clone-");
        var file = Path.Combine(folder.Path, "key.kwkey");
        _alice.Key.Save(file, "passphrase");
        var clone = VirtualAuthenticator.Load(file, "passphrase");
        var first = await ProposeAsync();
        await VoteAsync(first, _alice);
        await VoteAsync(first, _bob);
        var second = await ProposeAsync();

        Assert.Equal("approver_key_cloned", await RefusalAsync(second, QuorumStore.Sign(clone, _alice.KeyRow.CredentialId, second.Challenge)));
    }

    [Fact]
    public async Task VoteAsync_AtTwentyFourHours_IsExpired_OneMillisecondBefore_IsCounted()
    {
        var request = await ProposeAsync();
        _store.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1));
        await VoteAsync(request, _alice);

        _store.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("approval_expired", await RefusalAsync(request, _bob.Approve(request)));
        Assert.Equal(1, await Service().ExpireAsync());
        Assert.Equal(ApprovalStates.Expired, (await _store.RequestRowAsync(request.Id)).State);
        Assert.Equal("approval_expired", await RefusalAsync(request, _carol.Approve(request)));
        Assert.Equal(0, _epochs.Applied);
    }

    [Fact]
    public async Task VoteAsync_OnAWithdrawnRequest_IsWithdrawn()
    {
        var request = await ProposeAsync();

        Assert.Null(await Service().WithdrawAsync(request.Id, _alice.Id));

        Assert.Equal("approval_withdrawn", await RefusalAsync(request, _bob.Approve(request)));
        Assert.Equal("approval_withdrawn", (await Service().WithdrawAsync(request.Id, _alice.Id))?.Code);
    }

    [Fact]
    public async Task WithdrawAsync_BySomeoneElse_IsRefused_AndTheRequestStaysPending()
    {
        var request = await ProposeAsync();

        Assert.Equal("approval_not_withdrawable", (await Service().WithdrawAsync(request.Id, _bob.Id))?.Code);
        Assert.Equal("approval_unknown", (await Service().WithdrawAsync(Guid.NewGuid(), _alice.Id))?.Code);
        Assert.Equal(ApprovalStates.Pending, (await _store.RequestRowAsync(request.Id)).State);
    }

    [Fact]
    public async Task VoteAsync_TheSameKeyTwice_IsDuplicateAuthenticator()
    {
        var request = await ProposeAsync();
        await VoteAsync(request, _alice);

        Assert.Equal("approval_duplicate_authenticator", await RefusalAsync(request, _alice.Approve(request)));
    }

    [Fact]
    public async Task VoteAsync_AnotherKeyOfTheSameAccount_IsDuplicateAccount()
    {
        await _alice.AddKeyAsync();
        var request = await ProposeAsync();
        await VoteAsync(request, _alice, key: 0);

        Assert.Equal("approval_duplicate_account", await RefusalAsync(request, _alice.Approve(request, key: 1)));
        Assert.Equal(0, _epochs.Applied);
    }

    [Fact]
    public async Task VoteAsync_ASyncedPasskey_IsRefused_UnlessThePolicyAllowsIt()
    {
        var synced = new VirtualAuthenticatorOptions { BackupEligible = true, BackedUp = true, SignCounter = SignCounterMode.Zero };
        var dana = await _store.ApproverAsync("dana", synced);
        var erin = await _store.ApproverAsync("erin", synced);
        await using (var db = _store.Database.CreateContext())
        {
            await db.ApprovalPolicyKinds.Where(k => k.Kind == (int)OperationKind.AdvanceKeyEpoch).ExecuteDeleteAsync();
        }

        var strict = await PolicyAsync(1, [dana], kinds: [OperationKind.AdvanceKeyEpoch]);
        var request = await ProposeAsync();
        Assert.Equal(strict.Id, request.PolicyId);
        Assert.Equal("approver_key_synced", await RefusalAsync(request, dana.Approve(request)));

        var lenient = await PolicyAsync(1, [erin], allowSynced: true, kinds: [OperationKind.GrantScope]);
        var grants = new CountingApplier(OperationKind.GrantScope);
        var service = _store.Approvals(grants);
        var grant = (await service.ProposeAsync(ApprovalOperation.Create(OperationKind.GrantScope, "actor").Value, _alice.Id, _alice.Id)).Value;
        Assert.Equal(lenient.Id, grant.PolicyId);
        Assert.True((await service.VoteAsync(grant.Id, erin.Approve(grant))).Value.Applied);
    }

    [Fact]
    public async Task VoteAsync_AHardwareKeyWithoutACounter_IsRefused()
    {
        var frank = await _store.ApproverAsync("frank", new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        await _store.Policies().ForceRemoveApproverAsync(_carol.Id);
        var created = await _store.Policies().CreateAsync(new ApprovalPolicyDraft { Name = "frank", Kinds = [OperationKind.GrantScope], Groups = [new("g", 1, [frank.Id])] });
        var service = _store.Approvals(new CountingApplier(OperationKind.GrantScope));
        var grant = (await service.ProposeAsync(ApprovalOperation.Create(OperationKind.GrantScope, "actor").Value, _alice.Id, _alice.Id)).Value;

        var vote = await service.VoteAsync(grant.Id, frank.Approve(grant));

        Assert.True(created.Succeeded);
        Assert.Equal("approver_key_no_counter", vote.Failure?.Code);
    }

    [Fact]
    public async Task VoteAsync_WithoutUserVerification_OrFromAnotherOrigin_IsAssertionInvalid()
    {
        var noUv = await _alice.AddKeyAsync(new VirtualAuthenticatorOptions { UserVerified = false });
        var request = await ProposeAsync();

        // The key answers a "preferred" request without UV; the quorum requires UV regardless of what the client asked.
        Assert.Equal("approval_assertion_invalid", await RefusalAsync(request, _alice.Sign(request.Challenge, key: 1, userVerification: "preferred")));
        var foreign = QuorumStore.Sign(_bob.Key, _bob.KeyRow.CredentialId, request.Challenge, origin: "https://evil.keyward.test");
        Assert.Equal("approval_assertion_invalid", await RefusalAsync(request, foreign));
        Assert.NotEqual(Guid.Empty, noUv.Id);
    }

    [Fact]
    public async Task VoteAsync_AnUnregisteredKey_IsApproverKeyUnknown()
    {
        var stray = QuorumStore.NewKey();
        var account = _alice.Account;
        var options = _store.RelyingParty.CreateRegistrationOptions(new Keyward.WebAuthn.RegistrationOptionsRequest { UserName = account.Name, UserHandle = account.UserHandle });
        stray.MakeCredential(options.ToJson(), QuorumStore.Origin);
        var request = await ProposeAsync();

        Assert.Equal("approver_key_unknown", await RefusalAsync(request, QuorumStore.Sign(stray, stray.Credentials[0].CredentialId, request.Challenge)));
    }

    [Fact]
    public async Task VoteAsync_AfterAnotherOperationOfTheSameOperatorWasApplied_IsStale()
    {
        var first = await ProposeAsync(Epoch("vault"));
        var second = await ProposeAsync(Epoch("vault-2"));
        await VoteAsync(first, _alice);
        await VoteAsync(first, _bob);

        Assert.Equal("approval_stale", await RefusalAsync(second, _alice.Approve(second)));
    }

    [Fact]
    public async Task VoteAsync_UnknownRequest_IsApprovalUnknown()
    {
        var request = await ProposeAsync();

        var vote = await Service().VoteAsync(Guid.NewGuid(), _alice.Approve(request));

        Assert.Equal("approval_unknown", vote.Failure?.Code);
    }

    [Fact]
    public async Task VoteAsync_WhenTheApplierRefuses_NothingIsCommitted()
    {
        var request = await ProposeAsync();
        await VoteAsync(request, _alice);
        _epochs.Refusal = new QuorumFailure(QuorumError.OperationInvalid, "test");

        Assert.Equal("approval_operation_invalid", await RefusalAsync(request, _bob.Approve(request)));

        Assert.Equal(ApprovalStates.Pending, (await _store.RequestRowAsync(request.Id)).State);
        Assert.Equal(0, await _store.NonceAsync(_alice.Id));
        _epochs.Refusal = null;
        Assert.True((await VoteAsync(request, _carol)).Applied);
    }

    [Fact]
    public async Task ProposeAsync_AKindWithoutApplierOrPolicy_IsRefused()
    {
        var unsupported = await Service().ProposeAsync(ApprovalOperation.Create(OperationKind.AddAdminKey, "admin").Value, _alice.Id, _alice.Id);
        var ungoverned = await _store.Approvals(new CountingApplier(OperationKind.WidenScope))
            .ProposeAsync(ApprovalOperation.Create(OperationKind.WidenScope, "scope").Value, _alice.Id, _alice.Id);

        Assert.Equal("approval_operation_not_supported", unsupported.Failure?.Code);
        Assert.Equal("approval_policy_missing", ungoverned.Failure?.Code);
    }
}
