using Keyward.Core.Quorum;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Tests.Quorum;

/// <summary>
/// Policies as rows, and every anti-stranding refusal: at creation, on a voluntary disable, on proposed and on applied
/// removals and threshold changes; and the forced removal that always succeeds and strands.
/// </summary>
public sealed class ApprovalPolicyServiceTests : IAsyncLifetime
{
    private static readonly OperationKind[] Changes = [OperationKind.AddApprover, OperationKind.RemoveApprover, OperationKind.ChangeThreshold, OperationKind.AdvanceKeyEpoch];

    private QuorumStore _store = null!;
    private Approver _alice = null!, _bob = null!, _carol = null!;

    public async Task InitializeAsync()
    {
        _store = await QuorumStore.CreateAsync();
        _alice = await _store.ApproverAsync("alice");
        _bob = await _store.ApproverAsync("bob");
        _carol = await _store.ApproverAsync("carol");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<ApprovalPolicy> PolicyAsync(int threshold, params Approver[] approvers)
    {
        var created = await _store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "changes",
            Kinds = Changes,
            Groups = [new("security", threshold, [.. approvers.Select(a => a.Id)])],
        });
        Assert.True(created.Succeeded, created.Failure?.ToString());
        return created.Value;
    }

    private static ApprovalOperation Change(OperationKind kind, ApprovalPolicy policy, string key, string value) =>
        ApprovalOperation.Create(kind, policy.Id.ToString(), new Dictionary<string, string> { ["group"] = "security", [key] = value }).Value;

    private Task<QuorumResult<ApprovalRequest>> ProposeAsync(ApprovalOperation operation) =>
        _store.Approvals(new CountingApplier()).ProposeAsync(operation, _alice.Id, _alice.Id);

    private async Task<QuorumResult<VoteOutcome>> VoteAsync(ApprovalRequest request, Approver approver) =>
        await _store.Approvals(new CountingApplier()).VoteAsync(request.Id, approver.Approve(request));

    [Fact]
    public async Task CreateAsync_ThresholdAboveApprovers_IsRefused_AndNothingIsStored()
    {
        var created = await _store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "too-high",
            Kinds = [OperationKind.GrantScope],
            Groups = [new("security", 3, [_alice.Id, _bob.Id])],
        });

        Assert.Equal("approval_threshold_above_approvers", created.Failure?.Code);
        await using var db = _store.Database.CreateContext();
        Assert.Empty(await db.ApprovalPolicies.ToListAsync());
    }

    [Fact]
    public async Task CreateAsync_ADisabledOrUnknownAccount_IsRefused()
    {
        await _store.DisableAccountAsync(_bob.Id);

        var disabled = await _store.Policies().CreateAsync(new ApprovalPolicyDraft { Name = "a", Kinds = [OperationKind.GrantScope], Groups = [new("g", 1, [_alice.Id, _bob.Id])] });
        var unknown = await _store.Policies().CreateAsync(new ApprovalPolicyDraft { Name = "b", Kinds = [OperationKind.GrantScope], Groups = [new("g", 1, [_alice.Id, Guid.NewGuid()])] });

        Assert.Equal("approval_policy_invalid", disabled.Failure?.Code);
        Assert.Equal("approval_policy_invalid", unknown.Failure?.Code);
    }

    [Fact]
    public async Task CreateAsync_AKindAlreadyGoverned_IsRefused()
    {
        await PolicyAsync(1, _alice);

        var second = await _store.Policies().CreateAsync(new ApprovalPolicyDraft { Name = "other", Kinds = [OperationKind.AdvanceKeyEpoch], Groups = [new("g", 1, [_bob.Id])] });

        Assert.Equal("approval_policy_invalid", second.Failure?.Code);
    }

    [Fact]
    public async Task DisableApproverAsync_AtTheThreshold_IsRefused_AboveIt_IsAllowedOnce()
    {
        var policy = await PolicyAsync(2, _alice, _bob, _carol);

        Assert.Null(await _store.Policies().DisableApproverAsync(policy.Id, _carol.Id));
        Assert.Equal("approval_would_strand", (await _store.Policies().DisableApproverAsync(policy.Id, _bob.Id))?.Code);

        var stored = (await _store.Policies().GetAsync(policy.Id))!;
        Assert.Equal(2, stored.Groups.Single().ActiveCount);
        Assert.False(stored.Stranded);
    }

    [Fact]
    public async Task DisableApproverAsync_TheOnlyApproverOfAOneOfOne_IsRefused()
    {
        var policy = await PolicyAsync(1, _alice);

        Assert.Equal("approval_would_strand", (await _store.Policies().DisableApproverAsync(policy.Id, _alice.Id))?.Code);
    }

    [Fact]
    public async Task ProposeRemoveApprover_AtTheThreshold_IsRefused()
    {
        var policy = await PolicyAsync(2, _alice, _bob);

        var proposed = await ProposeAsync(Change(OperationKind.RemoveApprover, policy, "account", _bob.Id.ToString()));

        Assert.Equal("approval_would_strand", proposed.Failure?.Code);
    }

    [Fact]
    public async Task ProposeChangeThreshold_AboveActiveApprovers_OrBelowOne_IsRefused()
    {
        var policy = await PolicyAsync(1, _alice, _bob, _carol);
        Assert.Null(await _store.Policies().DisableApproverAsync(policy.Id, _carol.Id));

        Assert.Equal("approval_threshold_above_approvers", (await ProposeAsync(Change(OperationKind.ChangeThreshold, policy, "threshold", "3"))).Failure?.Code);
        Assert.Equal("approval_threshold_below_one", (await ProposeAsync(Change(OperationKind.ChangeThreshold, policy, "threshold", "0"))).Failure?.Code);
        Assert.True((await ProposeAsync(Change(OperationKind.ChangeThreshold, policy, "threshold", "2"))).Succeeded);
    }

    [Fact]
    public async Task ApprovedChangeThreshold_IsApplied()
    {
        var policy = await PolicyAsync(1, _alice, _bob, _carol);
        var request = (await ProposeAsync(Change(OperationKind.ChangeThreshold, policy, "threshold", "3"))).Value;

        Assert.True((await VoteAsync(request, _bob)).Value.Applied);

        Assert.Equal(3, (await _store.Policies().GetAsync(policy.Id))!.Groups.Single().Threshold);
    }

    [Fact]
    public async Task ApprovedRemoveApprover_ThatWouldStrandByTheTimeItCompletes_IsRefused_AndNothingChanges()
    {
        var policy = await PolicyAsync(2, _alice, _bob, _carol);
        var request = (await ProposeAsync(Change(OperationKind.RemoveApprover, policy, "account", _carol.Id.ToString()))).Value;
        Assert.True((await VoteAsync(request, _alice)).Succeeded);
        // Meanwhile bob is disabled (allowed then: alice and carol stay active for a threshold of 2).
        Assert.Null(await _store.Policies().DisableApproverAsync(policy.Id, _bob.Id));

        var completing = await VoteAsync(request, _carol);

        Assert.Equal("approval_would_strand", completing.Failure?.Code);
        var stored = (await _store.Policies().GetAsync(policy.Id))!;
        Assert.Contains(stored.Groups.Single().Approvers, a => a.AccountId == _carol.Id && a.Active);
        Assert.Equal(ApprovalStates.Pending, (await _store.RequestRowAsync(request.Id)).State);
    }

    [Fact]
    public async Task ApprovedRemoveAndAddApprover_AreApplied()
    {
        var policy = await PolicyAsync(1, _alice, _bob);
        var dave = await _store.ApproverAsync("dave");

        var add = (await ProposeAsync(Change(OperationKind.AddApprover, policy, "account", dave.Id.ToString()))).Value;
        Assert.True((await VoteAsync(add, _alice)).Value.Applied);
        var remove = (await ProposeAsync(Change(OperationKind.RemoveApprover, policy, "account", _bob.Id.ToString()))).Value;
        Assert.True((await VoteAsync(remove, dave)).Value.Applied);

        var approvers = (await _store.Policies().GetAsync(policy.Id))!.Groups.Single().Approvers.Select(a => a.AccountId).ToHashSet();
        Assert.True(approvers.SetEquals([_alice.Id, dave.Id]));
    }

    [Fact]
    public async Task ProposeAddApprover_AlreadyInThePolicy_OrUnknown_IsRefused()
    {
        var policy = await PolicyAsync(1, _alice, _bob);

        Assert.Equal("approval_operation_invalid", (await ProposeAsync(Change(OperationKind.AddApprover, policy, "account", _bob.Id.ToString()))).Failure?.Code);
        Assert.Equal("approval_operation_invalid", (await ProposeAsync(Change(OperationKind.AddApprover, policy, "account", Guid.NewGuid().ToString()))).Failure?.Code);
    }

    [Fact]
    public async Task ForceRemoveApproverAsync_ThatStrands_IsDone_AndMarksThePolicyStranded()
    {
        var policy = await PolicyAsync(2, _alice, _bob);
        var pending = (await ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value)).Value;

        var stranded = await _store.Policies().ForceRemoveApproverAsync(_bob.Id);

        Assert.Equal([policy.Id], stranded);
        var stored = (await _store.Policies().GetAsync(policy.Id))!;
        Assert.True(stored.Stranded);
        Assert.DoesNotContain(stored.Groups.Single().Approvers, a => a.AccountId == _bob.Id);
        Assert.Equal("approval_policy_stranded", (await ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value)).Failure?.Code);
        Assert.Equal("approval_policy_stranded", (await VoteAsync(pending, _alice)).Failure?.Code);
        Assert.Equal("approval_policy_stranded", (await _store.Policies().DisableApproverAsync(policy.Id, _alice.Id))?.Code);
    }

    [Fact]
    public async Task ForceRemoveApproverAsync_ThatDoesNotStrand_LeavesThePolicyUsable()
    {
        var policy = await PolicyAsync(2, _alice, _bob, _carol);

        Assert.Empty(await _store.Policies().ForceRemoveApproverAsync(_carol.Id));

        Assert.False((await _store.Policies().GetAsync(policy.Id))!.Stranded);
        Assert.True((await ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value)).Succeeded);
    }

    [Fact]
    public async Task EnableApproverAsync_DoesNotLiftAStranding()
    {
        var policy = await PolicyAsync(2, _alice, _bob);
        await _store.Policies().ForceRemoveApproverAsync(_bob.Id);

        Assert.Equal("approval_policy_stranded", (await _store.Policies().EnableApproverAsync(policy.Id, _alice.Id))?.Code);
        Assert.True((await _store.Policies().GetAsync(policy.Id))!.Stranded);
    }

    [Fact]
    public async Task RecoverAsync_AStrandedPolicy_RestoresAQuorum_AndWithdrawsItsPendingRequests()
    {
        var policy = await PolicyAsync(2, _alice, _bob);
        var pending = (await ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value)).Value;
        await _store.Policies().ForceRemoveApproverAsync(_bob.Id);

        Assert.Equal("approval_threshold_above_approvers", (await _store.Policies().RecoverAsync(policy.Id, "security", null, null))?.Code);
        Assert.True((await _store.Policies().GetAsync(policy.Id))!.Stranded);
        Assert.Null(await _store.Policies().RecoverAsync(policy.Id, "security", null, _carol.Id));

        var stored = (await _store.Policies().GetAsync(policy.Id))!;
        Assert.False(stored.Stranded);
        Assert.Equal(2, stored.Groups.Single().ActiveCount);
        Assert.Equal(ApprovalStates.Withdrawn, (await _store.RequestRowAsync(pending.Id)).State);
        Assert.True((await ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value)).Succeeded);
    }

    [Fact]
    public async Task RecoverAsync_APolicyThatIsNotStranded_IsRefused_ALowerThresholdAlsoRecovers()
    {
        var policy = await PolicyAsync(2, _alice, _bob);
        Assert.Equal("approval_policy_invalid", (await _store.Policies().RecoverAsync(policy.Id, "security", 1, null))?.Code);
        await _store.Policies().ForceRemoveApproverAsync(_bob.Id);

        Assert.Equal("approval_threshold_below_one", (await _store.Policies().RecoverAsync(policy.Id, "security", 0, null))?.Code);
        Assert.Null(await _store.Policies().RecoverAsync(policy.Id, "security", 1, null));
        Assert.Equal(1, (await _store.Policies().GetAsync(policy.Id))!.Groups.Single().Threshold);
    }
}
