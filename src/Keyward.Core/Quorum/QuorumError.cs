namespace Keyward.Core.Quorum;

/// <summary>Why the quorum refused something. A plain enum; <see cref="QuorumErrors"/> holds the stable codes and messages.</summary>
public enum QuorumError
{
    /// <summary>The policy draft is malformed (names, groups, approvers, kinds).</summary>
    PolicyInvalid,

    /// <summary>A threshold below 1.</summary>
    ThresholdBelowOne,

    /// <summary>A threshold above the number of active approvers in its group.</summary>
    ThresholdAboveApprovers,

    /// <summary>A voluntary change would leave a group unable to reach its threshold.</summary>
    WouldStrand,

    /// <summary>The policy is stranded (a forced removal left a group short); operations under it are refused.</summary>
    PolicyStranded,

    /// <summary>No such policy.</summary>
    PolicyUnknown,

    /// <summary>No policy covers the operation's kind.</summary>
    NoPolicy,

    /// <summary>Nothing in this build applies operations of that kind yet.</summary>
    OperationNotSupported,

    /// <summary>The operation (kind, target, parameters) is malformed.</summary>
    OperationInvalid,

    /// <summary>No such approval request.</summary>
    RequestUnknown,

    /// <summary>The request expired before its quorum completed.</summary>
    Expired,

    /// <summary>The request was withdrawn.</summary>
    Withdrawn,

    /// <summary>The approval was already used: its request was applied.</summary>
    Replayed,

    /// <summary>The operator's nonce moved on since the request was made (another of its operations was applied).</summary>
    Stale,

    /// <summary>The assertion signs another operation's challenge.</summary>
    OtherOperation,

    /// <summary>The key's account is not (or no longer) an active approver of the policy.</summary>
    ApproverRemoved,

    /// <summary>The key is not a registered authenticator.</summary>
    ApproverKeyUnknown,

    /// <summary>The key is backup-eligible (a synced passkey) and the policy requires hardware-bound keys.</summary>
    ApproverKeySynced,

    /// <summary>The key reports no signature counter and the policy requires one.</summary>
    ApproverKeyNoCounter,

    /// <summary>The signature counter did not increase: the authenticator may be cloned.</summary>
    ApproverKeyCloned,

    /// <summary>This account already approved the request.</summary>
    DuplicateAccount,

    /// <summary>This authenticator already approved the request.</summary>
    DuplicateAuthenticator,

    /// <summary>The WebAuthn assertion failed verification (the detail names the WebAuthn code).</summary>
    AssertionInvalid,

    /// <summary>Only the proposer or the operator may withdraw a request.</summary>
    NotWithdrawable,

    /// <summary>An approver of the policy denied the request; it takes no more votes.</summary>
    Denied,

    /// <summary>Only an active approver of the request's policy may deny it.</summary>
    NotDeniable,
}
