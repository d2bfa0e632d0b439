using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Quorum;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Approvals;

/// <summary>
/// Where the accounts API meets the quorum (docs/approvals.md, "Admin keys"): a key added to an admin account from its
/// session needs an approved <c>add_admin_key</c> while a policy governs that kind; a key of an admin account is removed
/// directly only as lost or stolen while a policy governs <c>remove_admin_key</c>; no direct removal may leave an active
/// approver without a key its policy accepts, except the forced one, after which the approver leaves those policies.
/// </summary>
internal sealed class AdminKeyGate(AdminKeys keys, IAuditLog audit)
{
    /// <summary>The registration's refusal while <c>add_admin_key</c> is governed and no approval is left.</summary>
    public static readonly KeywardError AddNeedsApproval = KeywardErrors.ApprovalRequired.Saying(
        "Adding a key to an admin account needs an approved add_admin_key operation (target: the account's id). Propose one, have the quorum approve it, and add the key within an hour.");

    /// <summary>The removal's refusal while <c>remove_admin_key</c> is governed.</summary>
    public static readonly KeywardError RemoveNeedsApproval = KeywardErrors.ApprovalRequired.Saying(
        "Removing a key of an admin account needs an approved remove_admin_key operation (target: the key's id; parameter account: the account's id). A lost or stolen key is removed at once with ?lost=true.");

    /// <summary>
    /// For a key added to an existing account from its session: refused when the account is an admin, a policy governs
    /// <c>add_admin_key</c>, and no approval for it is left. <paramref name="spend"/> takes the approval (at finish); else only looks (at begin).
    /// </summary>
    public async Task<Refusal?> CheckAddAsync(Guid accountId, string? role, string? accountName, bool spend, CancellationToken cancellationToken)
    {
        if (role != Roles.Admin || !await keys.GovernedAsync(OperationKind.AddAdminKey, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var granted = spend
            ? await keys.TrySpendAddGrantAsync(accountId, cancellationToken).ConfigureAwait(false)
            : await keys.HasAddGrantAsync(accountId, cancellationToken).ConfigureAwait(false);
        return granted ? null : new Refusal(AddNeedsApproval, AuditActions.KeyRegistrationFailed, Actor: accountName) { Details = new Dictionary<string, string> { ["kind"] = "add_admin_key" } };
    }

    /// <summary>
    /// For a key removed by its own account: unless <paramref name="lost"/>, refused for an admin's key while a policy
    /// governs <c>remove_admin_key</c>, and for the last key an active approver can approve with (voluntary stranding).
    /// </summary>
    public async Task<Refusal?> CheckRemoveAsync(SessionInfo session, Guid keyId, bool lost, CancellationToken cancellationToken)
    {
        if (lost)
        {
            return null;
        }

        if (session.Role == Roles.Admin && await keys.GovernedAsync(OperationKind.RemoveAdminKey, cancellationToken).ConfigureAwait(false))
        {
            return new Refusal(RemoveNeedsApproval, AuditActions.KeyRemoved, keyId.ToString());
        }

        return await keys.LosesLastEligibleKeyAsync(session.AccountId, keyId, cancellationToken).ConfigureAwait(false) is [var policy, ..]
            ? new Refusal(KeywardErrors.From(AdminKeys.WouldStrand(policy)), AuditActions.KeyRemoved, keyId.ToString())
            : null;
    }

    /// <summary>
    /// After a key was removed (any path): its votes on pending requests stop counting, and its account leaves every
    /// policy under which it has no accepted key left (<see cref="ApprovalPolicyService.ForceRemoveApproverAsync(Guid, IReadOnlyCollection{Guid}?, CancellationToken)"/>),
    /// recorded as <c>approval.approver_force_removed</c> with the policies it left and those it stranded.
    /// </summary>
    public async Task AfterRemovalAsync(Caller caller, Guid accountId, Guid keyId, CancellationToken cancellationToken)
    {
        var (left, stranded) = await keys.AfterForcedRemovalAsync(accountId, keyId, cancellationToken).ConfigureAwait(false);
        if (left.Count == 0)
        {
            return;
        }

        await audit.RecordAllAsync(AuditTrail.For(caller, ApprovalAuditActions.ApproverForceRemoved, AuditOutcomes.Success, accountId.ToString(), details: new Dictionary<string, string>
        {
            ["authenticator_id"] = keyId.ToString(),
            ["policies"] = string.Join(",", left),
            ["stranded"] = string.Join(",", stranded),
        })).ConfigureAwait(false);
    }
}
