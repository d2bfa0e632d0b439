using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Admin keys under a quorum (docs/approvals.md, "Admin keys"). While a policy governs <c>add_admin_key</c>, a key added
/// to an admin account from its session needs an applied <c>add_admin_key</c> for that account, spent by the
/// registration (one conditional UPDATE from <c>applied</c> to <c>spent</c>: one approval, one key, however many
/// registrations race); one not spent within <see cref="Lifetime"/> lapses. While a policy governs
/// <c>remove_admin_key</c>, the accounts API removes an admin's key only as lost or stolen (the forced path,
/// <see cref="AfterForcedRemovalAsync"/>). Any key removal that would leave an active approver without a key its policy
/// accepts is voluntary stranding and refused, except the forced path, which removes the approver instead.
/// </summary>
public sealed class AdminKeys(KeywardDatabase database, ApprovalPolicyService policies, TimeProvider time)
{
    /// <summary>How long an approved key addition stays usable.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>The operation to propose for adding a key to the admin account <paramref name="accountId"/>.</summary>
    public static QuorumResult<ApprovalOperation> AddOperation(Guid accountId) =>
        ApprovalOperation.Create(OperationKind.AddAdminKey, accountId.ToString(), new Dictionary<string, string>());

    /// <summary>The operation to propose for removing the key <paramref name="keyId"/> of the admin account <paramref name="accountId"/>.</summary>
    public static QuorumResult<ApprovalOperation> RemoveOperation(Guid accountId, Guid keyId) =>
        ApprovalOperation.Create(OperationKind.RemoveAdminKey, keyId.ToString(), new Dictionary<string, string> { ["account"] = accountId.ToString() });

    /// <summary>True when a policy governs <paramref name="kind"/> (then the direct path is refused).</summary>
    public async Task<bool> GovernedAsync(OperationKind kind, CancellationToken cancellationToken = default) =>
        await policies.ForKindAsync(kind, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>True when an approved, unspent, unlapsed <c>add_admin_key</c> for the account exists.</summary>
    public async Task<bool> HasAddGrantAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await AddGrants(db, accountId).AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Spends one approved <c>add_admin_key</c> for the account; true when this caller took it.</summary>
    public async Task<bool> TrySpendAddGrantAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var ids = await AddGrants(db, accountId).OrderBy(r => r.ClosedAt).Select(r => r.Id).Take(8).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            if (await db.ApprovalRequests.Where(r => r.Id == id && r.State == ApprovalStates.Applied)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Spent), cancellationToken).ConfigureAwait(false) == 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The policies under which the account is an active approver that removing <paramref name="keyId"/> would leave without an accepted key.</summary>
    public async Task<IReadOnlyList<ApprovalPolicy>> LosesLastEligibleKeyAsync(Guid accountId, Guid keyId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await LosesLastEligibleKeyAsync(db, accountId, keyId, activeOnly: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a key was removed as lost or stolen: its votes on pending requests stop counting, and the account leaves
    /// every policy under which it has no accepted key left (<see cref="ApprovalPolicyService.ForceRemoveApproverAsync(Guid, IReadOnlyCollection{Guid}?, CancellationToken)"/>,
    /// which marks a policy left short as stranded). Returns the policies it left and those it stranded.
    /// </summary>
    public async Task<(IReadOnlyList<Guid> Left, IReadOnlyList<Guid> Stranded)> AfterForcedRemovalAsync(Guid accountId, Guid keyId, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Guid> left;
        await using (var db = database.CreateContext())
        {
            await ForgetPendingVotesAsync(db, keyId, cancellationToken).ConfigureAwait(false);
            left = [.. (await LosesLastEligibleKeyAsync(db, accountId, keyId, activeOnly: false, cancellationToken).ConfigureAwait(false)).Select(p => p.Id)];
        }

        var stranded = left.Count == 0 ? [] : await policies.ForceRemoveApproverAsync(accountId, left, cancellationToken).ConfigureAwait(false);
        return (left, stranded);
    }

    /// <summary>The refusal for a voluntary removal of an approver's last accepted key.</summary>
    public static QuorumFailure WouldStrand(ApprovalPolicy policy) => new(QuorumError.WouldStrand,
        $"the key is the last one its account can approve with under policy {policy.Name}: remove the approver first (remove_approver), or remove the key as lost");

    /// <summary>
    /// Policies of which the account is a member (an active approver when <paramref name="activeOnly"/>) and under which
    /// no key but <paramref name="keyId"/> is accepted (hardware-bound, or any when the policy allows synced passkeys).
    /// With <paramref name="activeOnly"/> the removed key must itself be accepted there (losing a key that could not
    /// approve changes nothing).
    /// </summary>
    internal static async Task<IReadOnlyList<ApprovalPolicy>> LosesLastEligibleKeyAsync(KeywardDbContext db, Guid accountId, Guid keyId, bool activeOnly, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(null);
        var policyIds = await db.ApprovalMembers.InTenant(tenant).Where(m => m.AccountId == accountId)
            .Select(m => m.PolicyId).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        if (policyIds.Count == 0)
        {
            return [];
        }

        var keys = await db.Authenticators.AsNoTracking().Where(a => a.AccountId == accountId)
            .Select(a => new { a.Id, a.BackupEligible }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var removed = keys.Find(k => k.Id == keyId);
        var losing = new List<ApprovalPolicy>();
        foreach (var id in policyIds)
        {
            if (await ApprovalPolicyService.LoadAsync(db, id, cancellationToken).ConfigureAwait(false) is not { } policy
                || (activeOnly && (policy.ActiveGroupOf(accountId) is null || removed is null || (removed.BackupEligible && !policy.AllowSyncedPasskeys))))
            {
                continue;
            }

            if (!keys.Any(k => k.Id != keyId && (policy.AllowSyncedPasskeys || !k.BackupEligible)))
            {
                losing.Add(policy);
            }
        }

        return losing;
    }

    /// <summary>Deletes the key's votes on requests still pending: a removed key's approval must not count.</summary>
    internal static Task<int> ForgetPendingVotesAsync(KeywardDbContext db, Guid keyId, CancellationToken cancellationToken)
    {
        var pending = db.ApprovalRequests.Where(r => r.State == ApprovalStates.Pending).Select(r => r.Id);
        return db.ApprovalVotes.Where(v => v.AuthenticatorId == keyId && pending.Contains(v.RequestId)).ExecuteDeleteAsync(cancellationToken);
    }

    private IQueryable<ApprovalRequestEntity> AddGrants(KeywardDbContext db, Guid accountId)
    {
        var since = (time.GetUtcNow() - Lifetime).ToUnixTimeMilliseconds();
        var target = accountId.ToString();
        return db.ApprovalRequests.InTenant(TenantScope.Of(accountId)).Where(r =>
            r.Kind == (int)OperationKind.AddAdminKey && r.State == ApprovalStates.Applied && r.Target == target && r.ClosedAt > since);
    }
}
