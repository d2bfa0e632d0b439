namespace Keyward.Core.Quorum;

/// <summary>
/// The closed set of operations that need an M-of-N approval (issue 12, item 2). The numbers are stored; never reuse one.
/// Anything not listed here cannot be proposed: there is no free-form operation.
/// </summary>
public enum OperationKind
{
    /// <summary>Grant a scope to an actor (<c>grant_scope</c>).</summary>
    GrantScope = 1,

    /// <summary>Widen an existing scope (<c>widen_scope</c>).</summary>
    WidenScope = 2,

    /// <summary>Read a secret of a data class marked sensitive (<c>read_sensitive_secret</c>).</summary>
    ReadSensitiveSecret = 3,

    /// <summary>Add an approver to a group of a policy (<c>add_approver</c>).</summary>
    AddApprover = 4,

    /// <summary>Remove an approver from a group of a policy, voluntarily (<c>remove_approver</c>).</summary>
    RemoveApprover = 5,

    /// <summary>Add an admin key (<c>add_admin_key</c>).</summary>
    AddAdminKey = 6,

    /// <summary>Remove an admin key (<c>remove_admin_key</c>).</summary>
    RemoveAdminKey = 7,

    /// <summary>Change the threshold of a group (<c>change_threshold</c>).</summary>
    ChangeThreshold = 8,

    /// <summary>Advance the vault's key epoch (<c>advance_key_epoch</c>).</summary>
    AdvanceKeyEpoch = 9,

    /// <summary>Change an approval policy's settings (<c>change_approval_policy</c>).</summary>
    ChangeApprovalPolicy = 10,
}
