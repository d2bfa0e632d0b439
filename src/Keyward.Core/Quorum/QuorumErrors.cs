namespace Keyward.Core.Quorum;

/// <summary>The stable snake_case code and plain message of each <see cref="QuorumError"/>. Codes are an API: never rename one.</summary>
public static class QuorumErrors
{
    private static readonly Dictionary<QuorumError, (string Code, string Message)> Table = new()
    {
        [QuorumError.PolicyInvalid] = ("approval_policy_invalid", "The approval policy is not valid."),
        [QuorumError.ThresholdBelowOne] = ("approval_threshold_below_one", "A group's threshold must be at least 1."),
        [QuorumError.ThresholdAboveApprovers] = ("approval_threshold_above_approvers", "A group's threshold cannot exceed its number of active approvers."),
        [QuorumError.WouldStrand] = ("approval_would_strand", "The change would leave a group unable to reach its threshold."),
        [QuorumError.PolicyStranded] = ("approval_policy_stranded", "The approval policy is stranded: a group cannot reach its threshold until the quorum is recovered."),
        [QuorumError.PolicyUnknown] = ("approval_policy_unknown", "No such approval policy."),
        [QuorumError.NoPolicy] = ("approval_policy_missing", "No approval policy covers this operation."),
        [QuorumError.OperationNotSupported] = ("approval_operation_not_supported", "Operations of this kind cannot be applied yet."),
        [QuorumError.OperationInvalid] = ("approval_operation_invalid", "The operation is not valid."),
        [QuorumError.RequestUnknown] = ("approval_unknown", "No such approval request."),
        [QuorumError.Expired] = ("approval_expired", "The approval request expired."),
        [QuorumError.Withdrawn] = ("approval_withdrawn", "The approval request was withdrawn."),
        [QuorumError.Replayed] = ("approval_replayed", "The approval was already used."),
        [QuorumError.Stale] = ("approval_stale", "The operator's nonce moved on since this request was made; propose it again."),
        [QuorumError.OtherOperation] = ("approval_other_operation", "The approval is for another operation."),
        [QuorumError.ApproverRemoved] = ("approver_removed", "The key's account is not an active approver of this policy."),
        [QuorumError.ApproverKeyUnknown] = ("approver_key_unknown", "The key is not registered."),
        [QuorumError.ApproverKeySynced] = ("approver_key_synced", "The policy requires a hardware-bound key; synced passkeys are not allowed."),
        [QuorumError.ApproverKeyNoCounter] = ("approver_key_no_counter", "The policy requires a key with a working signature counter."),
        [QuorumError.ApproverKeyCloned] = ("approver_key_cloned", "The key's signature counter did not increase: the authenticator may be cloned."),
        [QuorumError.DuplicateAccount] = ("approval_duplicate_account", "This account already approved the request."),
        [QuorumError.DuplicateAuthenticator] = ("approval_duplicate_authenticator", "This key already approved the request."),
        [QuorumError.AssertionInvalid] = ("approval_assertion_invalid", "The approval's WebAuthn assertion is not valid."),
        [QuorumError.NotWithdrawable] = ("approval_not_withdrawable", "Only the proposer or the operator may withdraw this request."),
        [QuorumError.Denied] = ("approval_denied", "An approver denied the approval request."),
        [QuorumError.NotDeniable] = ("approval_not_deniable", "Only an active approver of the request's policy may deny it."),
    };

    /// <summary>Every error, for the pinned table in the tests.</summary>
    public static IReadOnlyCollection<QuorumError> All => Table.Keys;

    /// <summary>The stable code.</summary>
    public static string Code(QuorumError error) => Table[error].Code;

    /// <summary>The plain message.</summary>
    public static string Message(QuorumError error) => Table[error].Message;
}
