using Keyward.Core.Quorum;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // M-of-N approvals (docs/approvals.md): the quorum's own codes (QuorumErrors), each with its HTTP status.
    public static readonly KeywardError ApprovalPolicyInvalid = FromQuorum(QuorumError.PolicyInvalid, 400);
    public static readonly KeywardError ApprovalThresholdBelowOne = FromQuorum(QuorumError.ThresholdBelowOne, 400);
    public static readonly KeywardError ApprovalThresholdAboveApprovers = FromQuorum(QuorumError.ThresholdAboveApprovers, 409);
    public static readonly KeywardError ApprovalWouldStrand = FromQuorum(QuorumError.WouldStrand, 409);
    public static readonly KeywardError ApprovalPolicyStranded = FromQuorum(QuorumError.PolicyStranded, 409);
    public static readonly KeywardError ApprovalPolicyUnknown = FromQuorum(QuorumError.PolicyUnknown, 404);
    public static readonly KeywardError ApprovalPolicyMissing = FromQuorum(QuorumError.NoPolicy, 409);
    public static readonly KeywardError ApprovalOperationNotSupported = FromQuorum(QuorumError.OperationNotSupported, 400);
    public static readonly KeywardError ApprovalOperationInvalid = FromQuorum(QuorumError.OperationInvalid, 400);
    public static readonly KeywardError ApprovalUnknown = FromQuorum(QuorumError.RequestUnknown, 404);
    public static readonly KeywardError ApprovalExpired = FromQuorum(QuorumError.Expired, 409);
    public static readonly KeywardError ApprovalWithdrawn = FromQuorum(QuorumError.Withdrawn, 409);
    public static readonly KeywardError ApprovalReplayed = FromQuorum(QuorumError.Replayed, 409);
    public static readonly KeywardError ApprovalStale = FromQuorum(QuorumError.Stale, 409);
    public static readonly KeywardError ApprovalOtherOperation = FromQuorum(QuorumError.OtherOperation, 403);
    public static readonly KeywardError ApproverRemoved = FromQuorum(QuorumError.ApproverRemoved, 403);
    public static readonly KeywardError ApproverKeyUnknown = FromQuorum(QuorumError.ApproverKeyUnknown, 403);
    public static readonly KeywardError ApproverKeySynced = FromQuorum(QuorumError.ApproverKeySynced, 403);
    public static readonly KeywardError ApproverKeyNoCounter = FromQuorum(QuorumError.ApproverKeyNoCounter, 403);
    public static readonly KeywardError ApproverKeyCloned = FromQuorum(QuorumError.ApproverKeyCloned, 403);
    public static readonly KeywardError ApprovalDuplicateAccount = FromQuorum(QuorumError.DuplicateAccount, 409);
    public static readonly KeywardError ApprovalDuplicateAuthenticator = FromQuorum(QuorumError.DuplicateAuthenticator, 409);
    public static readonly KeywardError ApprovalAssertionInvalid = FromQuorum(QuorumError.AssertionInvalid, 400);
    public static readonly KeywardError ApprovalNotWithdrawable = FromQuorum(QuorumError.NotWithdrawable, 403);
    public static readonly KeywardError ApprovalDenied = FromQuorum(QuorumError.Denied, 409);
    public static readonly KeywardError ApprovalNotDeniable = FromQuorum(QuorumError.NotDeniable, 403);

    // The server's own: a session votes with its own account's keys only.
    public static readonly KeywardError ApprovalKeyNotOwn = new("approval_key_not_own", 403, "Vote with a key of the account you are signed in as.");

    /// <summary>The refusal for a quorum failure, saying its detail (never a secret).</summary>
    public static KeywardError From(QuorumFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var error = Own().First(e => e.Code == failure.Code);
        return failure.Detail is null ? error : error.Saying(failure.Message);
    }

    private static KeywardError FromQuorum(QuorumError error, int status) => new(QuorumErrors.Code(error), status, QuorumErrors.Message(error));
}
