using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Quorum;

namespace Keyward.Core.Tests.Quorum;

/// <summary>The canonical encodings an approval signs: exact bytes, no ambiguity, every input bound into the challenge.</summary>
public sealed class OperationCanonicalTests
{
    private static ApprovalOperation Op(OperationKind kind, string target, params (string Key, string Value)[] parameters) =>
        ApprovalOperation.Create(kind, target, parameters.ToDictionary(p => p.Key, p => p.Value)).Value;

    private static byte[] Lp(string text) => Lp(Encoding.UTF8.GetBytes(text));

    private static byte[] Lp(byte[] bytes) => [.. BitConverter.GetBytes((uint)bytes.Length).Reverse(), .. bytes];

    [Fact]
    public void EncodeOperation_IsTheDocumentedLengthPrefixedBytes()
    {
        var op = Op(OperationKind.ChangeThreshold, "policy-1", ("threshold", "2"), ("group", "security"));

        byte[] parameters = [.. Lp("keyward.approval.parameters.v1"), 0, 0, 0, 2, .. Lp("group"), .. Lp("security"), .. Lp("threshold"), .. Lp("2")];
        byte[] expected = [.. Lp("keyward.approval.operation.v1"), .. Lp("change_threshold"), .. Lp("policy-1"), .. Lp(SHA256.HashData(parameters))];
        Assert.Equal(parameters, op.EncodedParameters);
        Assert.Equal(SHA256.HashData(parameters), op.ParametersDigest);
        Assert.Equal(expected, op.Canonical);
    }

    [Fact]
    public void Challenge_IsSha256OfOperationNonceAndInstance_AsDocumented()
    {
        var op = Op(OperationKind.AdvanceKeyEpoch, "vault");

        byte[] input = [.. Lp(op.Canonical), 0, 0, 0, 0, 0, 0, 1, 2, .. Lp("instance-a")];
        Assert.Equal(SHA256.HashData(input), OperationCanonical.Challenge(op.Canonical, 258, "instance-a"));
    }

    [Fact]
    public void Challenge_ChangesWithEveryInput()
    {
        var baseOp = Op(OperationKind.GrantScope, "actor-1", ("path", "a/"));
        var challenges = new[]
        {
            OperationCanonical.Challenge(baseOp.Canonical, 0, "i1"),
            OperationCanonical.Challenge(Op(OperationKind.WidenScope, "actor-1", ("path", "a/")).Canonical, 0, "i1"),
            OperationCanonical.Challenge(Op(OperationKind.GrantScope, "actor-2", ("path", "a/")).Canonical, 0, "i1"),
            OperationCanonical.Challenge(Op(OperationKind.GrantScope, "actor-1", ("path", "b/")).Canonical, 0, "i1"),
            OperationCanonical.Challenge(baseOp.Canonical, 1, "i1"),
            OperationCanonical.Challenge(baseOp.Canonical, 0, "i2"),
        };

        Assert.Equal(challenges.Length, challenges.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void EncodeParameters_ShiftedBoundaries_DoNotCollide()
    {
        var a = Op(OperationKind.GrantScope, "t", ("ab", "c"));
        var b = Op(OperationKind.GrantScope, "t", ("a", "bc"));
        var c = Op(OperationKind.GrantScope, "ta", ("b", "c"));

        Assert.NotEqual(a.ParametersDigest, b.ParametersDigest);
        Assert.NotEqual(a.Canonical, c.Canonical);
    }

    [Fact]
    public void EncodeParameters_InsertionOrder_DoesNotMatter()
    {
        var one = ApprovalOperation.Create(OperationKind.GrantScope, "t", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }).Value;
        var two = ApprovalOperation.Create(OperationKind.GrantScope, "t", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }).Value;

        Assert.Equal(one.Canonical, two.Canonical);
    }

    [Fact]
    public void DecodeParameters_RoundTrips_AndRefusesAnythingElse()
    {
        var op = Op(OperationKind.GrantScope, "t", ("path", "é/"), ("ops", "read"));

        Assert.Equal(op.Parameters, OperationCanonical.DecodeParameters(op.EncodedParameters));
        Assert.Null(OperationCanonical.DecodeParameters([.. op.EncodedParameters, 0]));
        Assert.Null(OperationCanonical.DecodeParameters(op.EncodedParameters.AsSpan(0, op.EncodedParameters.Length - 1)));
        Assert.Null(OperationCanonical.DecodeParameters(op.Canonical));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a\nb")]
    public void Create_BadTarget_IsOperationInvalid(string target)
    {
        var result = ApprovalOperation.Create(OperationKind.GrantScope, target);

        Assert.Equal("approval_operation_invalid", result.Failure?.Code);
    }

    [Fact]
    public void Create_UndefinedKind_IsOperationInvalid()
    {
        Assert.Equal(QuorumError.OperationInvalid, ApprovalOperation.Create((OperationKind)99, "t").Failure?.Error);
        Assert.Equal(QuorumError.OperationInvalid, ApprovalOperation.Create(OperationKind.GrantScope, "t", new Dictionary<string, string> { [""] = "x" }).Failure?.Error);
    }

    [Fact]
    public void OperationKinds_NamesArePinned_AndOnlyExactNamesParse()
    {
        var pinned = new Dictionary<OperationKind, string>
        {
            [OperationKind.GrantScope] = "grant_scope",
            [OperationKind.WidenScope] = "widen_scope",
            [OperationKind.ReadSensitiveSecret] = "read_sensitive_secret",
            [OperationKind.AddApprover] = "add_approver",
            [OperationKind.RemoveApprover] = "remove_approver",
            [OperationKind.AddAdminKey] = "add_admin_key",
            [OperationKind.RemoveAdminKey] = "remove_admin_key",
            [OperationKind.ChangeThreshold] = "change_threshold",
            [OperationKind.AdvanceKeyEpoch] = "advance_key_epoch",
            [OperationKind.ChangeApprovalPolicy] = "change_approval_policy",
        };

        Assert.Equal(pinned.Keys.Order(), OperationKinds.All);
        Assert.Equal(Enum.GetValues<OperationKind>().Order(), OperationKinds.All);
        Assert.All(pinned, p => Assert.Equal(p.Value, OperationKinds.Name(p.Key)));
        Assert.All(pinned, p => Assert.True(OperationKinds.TryParse(p.Value, out var k) && k == p.Key));
        Assert.False(OperationKinds.TryParse("Grant_Scope", out _));
        Assert.False(OperationKinds.TryParse("delete_everything", out _));
        Assert.False(OperationKinds.TryParse(null, out _));
    }

    [Fact]
    public void QuorumErrors_CodesArePinned()
    {
        var pinned = new Dictionary<QuorumError, string>
        {
            [QuorumError.PolicyInvalid] = "approval_policy_invalid",
            [QuorumError.ThresholdBelowOne] = "approval_threshold_below_one",
            [QuorumError.ThresholdAboveApprovers] = "approval_threshold_above_approvers",
            [QuorumError.WouldStrand] = "approval_would_strand",
            [QuorumError.PolicyStranded] = "approval_policy_stranded",
            [QuorumError.PolicyUnknown] = "approval_policy_unknown",
            [QuorumError.NoPolicy] = "approval_policy_missing",
            [QuorumError.OperationNotSupported] = "approval_operation_not_supported",
            [QuorumError.OperationInvalid] = "approval_operation_invalid",
            [QuorumError.RequestUnknown] = "approval_unknown",
            [QuorumError.Expired] = "approval_expired",
            [QuorumError.Withdrawn] = "approval_withdrawn",
            [QuorumError.Replayed] = "approval_replayed",
            [QuorumError.Stale] = "approval_stale",
            [QuorumError.OtherOperation] = "approval_other_operation",
            [QuorumError.ApproverRemoved] = "approver_removed",
            [QuorumError.ApproverKeyUnknown] = "approver_key_unknown",
            [QuorumError.ApproverKeySynced] = "approver_key_synced",
            [QuorumError.ApproverKeyNoCounter] = "approver_key_no_counter",
            [QuorumError.ApproverKeyCloned] = "approver_key_cloned",
            [QuorumError.DuplicateAccount] = "approval_duplicate_account",
            [QuorumError.DuplicateAuthenticator] = "approval_duplicate_authenticator",
            [QuorumError.AssertionInvalid] = "approval_assertion_invalid",
            [QuorumError.NotWithdrawable] = "approval_not_withdrawable",
            [QuorumError.Denied] = "approval_denied",
            [QuorumError.NotDeniable] = "approval_not_deniable",
        };

        Assert.Equal(Enum.GetValues<QuorumError>().Order(), QuorumErrors.All.Order());
        Assert.All(pinned, p => Assert.Equal(p.Value, QuorumErrors.Code(p.Key)));
        Assert.All(QuorumErrors.All, e => Assert.False(string.IsNullOrWhiteSpace(QuorumErrors.Message(e))));
    }
}
