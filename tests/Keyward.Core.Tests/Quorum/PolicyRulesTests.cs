using Keyward.Core.Quorum;

namespace Keyward.Core.Tests.Quorum;

/// <summary>The anti-stranding rules over a policy's state, as pure functions.</summary>
public sealed class PolicyRulesTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid();

    private static ApprovalPolicyDraft Draft(params ApprovalGroupDraft[] groups) =>
        new() { Name = "p", Kinds = [OperationKind.GrantScope], Groups = groups };

    private static ApprovalGroupDraft G(string name, int threshold, Guid[] approvers) => new(name, threshold, approvers);

    private static ApprovalGroup Group(int threshold, params (Guid Id, bool Active)[] approvers) => new()
    {
        Id = Guid.NewGuid(),
        Name = "security",
        Threshold = threshold,
        Approvers = [.. approvers.Select(a => new ApproverState(a.Id, a.Active))],
    };

    [Fact]
    public void Validate_TwoOfThreeAndOneOfOne_IsValid() =>
        Assert.Null(PolicyRules.Validate(Draft(G("security", 2, [A, B, C]), G("owners", 1, [D]))));

    [Fact]
    public void Validate_ThresholdAboveApprovers_IsRefused() =>
        Assert.Equal(QuorumError.ThresholdAboveApprovers, PolicyRules.Validate(Draft(G("security", 3, [A, B])))?.Error);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_ThresholdBelowOne_IsRefused(int threshold) =>
        Assert.Equal(QuorumError.ThresholdBelowOne, PolicyRules.Validate(Draft(G("security", threshold, [A, B])))?.Error);

    [Fact]
    public void Validate_EmptyGroup_IsRefused_BecauseItsThresholdIsAtLeastOne() =>
        Assert.Equal(QuorumError.ThresholdAboveApprovers, PolicyRules.Validate(Draft(G("security", 1, [])))?.Error);

    [Fact]
    public void Validate_Malformed_IsPolicyInvalid()
    {
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft())?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A]), G("x", 1, [B])))?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A]), G("y", 1, [A])))?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A, A])))?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A])) with { Kinds = [] })?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A])) with { Kinds = [OperationKind.GrantScope, OperationKind.GrantScope] })?.Error);
        Assert.Equal(QuorumError.PolicyInvalid, PolicyRules.Validate(Draft(G("x", 1, [A])) with { Name = " " })?.Error);
    }

    [Fact]
    public void CheckThreshold_CountsActiveApproversOnly()
    {
        Assert.Null(PolicyRules.CheckThreshold(2, 2));
        Assert.Equal(QuorumError.ThresholdAboveApprovers, PolicyRules.CheckThreshold(3, 2)?.Error);
        Assert.Equal(QuorumError.ThresholdBelowOne, PolicyRules.CheckThreshold(0, 2)?.Error);
    }

    [Fact]
    public void CheckVoluntaryLoss_AtTheThreshold_WouldStrand()
    {
        var group = Group(2, (A, true), (B, true));

        Assert.Equal("approval_would_strand", PolicyRules.CheckVoluntaryLoss(group, A)?.Code);
    }

    [Fact]
    public void CheckVoluntaryLoss_AboveTheThreshold_IsAllowed_ButNotTwice()
    {
        Assert.Null(PolicyRules.CheckVoluntaryLoss(Group(2, (A, true), (B, true), (C, true)), A));
        Assert.Equal(QuorumError.WouldStrand, PolicyRules.CheckVoluntaryLoss(Group(2, (A, false), (B, true), (C, true)), B)?.Error);
    }

    [Fact]
    public void CheckVoluntaryLoss_OfAnInactiveApprover_CountsNothing_ButTheGroupMustStillReachItsThreshold()
    {
        Assert.Null(PolicyRules.CheckVoluntaryLoss(Group(2, (A, false), (B, true), (C, true)), A));
        Assert.Equal(QuorumError.WouldStrand, PolicyRules.CheckVoluntaryLoss(Group(2, (A, false), (B, false), (C, true)), A)?.Error);
    }

    [Fact]
    public void IsShort_AnyGroupBelowItsThreshold()
    {
        Assert.False(PolicyRules.IsShort([Group(1, (A, true)), Group(2, (B, true), (C, true))]));
        Assert.True(PolicyRules.IsShort([Group(1, (A, true)), Group(2, (B, true), (C, false))]));
    }
}
