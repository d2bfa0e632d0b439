using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Approval policies as rows: create one (the bootstrap; later changes are approved operations, applied by
/// <see cref="PolicyChangeApplier"/>), read them, disable and re-enable an approver (voluntary, so never stranding),
/// and the forced removal of an approver whose key is lost or stolen, which always succeeds and marks any policy it
/// leaves short as stranded. Changes run in a transaction that first locks the policy row, so two concurrent voluntary
/// changes cannot each pass the anti-stranding check against the same old state.
/// </summary>
public sealed class ApprovalPolicyService(KeywardDatabase database, TimeProvider time)
{
    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates a policy; refused when invalid, when an approver is not an enabled account, or when a kind already has a policy.</summary>
    public async Task<QuorumResult<ApprovalPolicy>> CreateAsync(ApprovalPolicyDraft draft, CancellationToken cancellationToken = default)
    {
        if (PolicyRules.Validate(draft) is { } invalid)
        {
            return invalid;
        }

        var tenant = TenantScope.Of(null);
        var approvers = draft.Groups.SelectMany(g => g.Approvers).ToList();
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var enabled = await db.Accounts.Where(a => a.TenantId == tenant && approvers.Contains(a.Id) && a.DisabledAt == null)
            .CountAsync(cancellationToken).ConfigureAwait(false);
        if (enabled != approvers.Count)
        {
            return QuorumResult<ApprovalPolicy>.Fail(QuorumError.PolicyInvalid, "every approver must be an enabled account");
        }

        var kinds = draft.Kinds.Select(k => (int)k).ToList();
        if (await db.ApprovalPolicyKinds.InTenant(tenant).AnyAsync(k => kinds.Contains(k.Kind), cancellationToken).ConfigureAwait(false)
            || await db.ApprovalPolicies.InTenant(tenant).AnyAsync(p => p.Name == draft.Name, cancellationToken).ConfigureAwait(false))
        {
            return QuorumResult<ApprovalPolicy>.Fail(QuorumError.PolicyInvalid, "the name or one of the kinds already has a policy");
        }

        var now = Now;
        var policy = new ApprovalPolicyEntity { Id = Guid.NewGuid(), TenantId = tenant, Name = draft.Name, AllowSyncedPasskeys = draft.AllowSyncedPasskeys, CreatedAt = now };
        db.ApprovalPolicies.Add(policy);
        db.ApprovalPolicyKinds.AddRange(draft.Kinds.Select(k => new ApprovalPolicyKindEntity { Id = Guid.NewGuid(), TenantId = tenant, PolicyId = policy.Id, Kind = (int)k }));
        foreach (var group in draft.Groups)
        {
            var row = new ApprovalGroupEntity { Id = Guid.NewGuid(), TenantId = tenant, PolicyId = policy.Id, Name = group.Name, Threshold = group.Threshold };
            db.ApprovalGroups.Add(row);
            db.ApprovalMembers.AddRange(group.Approvers.Select(a => new ApprovalMemberEntity
            {
                Id = Guid.NewGuid(),
                TenantId = tenant,
                PolicyId = policy.Id,
                GroupId = row.Id,
                AccountId = a,
                CreatedAt = now,
            }));
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return QuorumResult<ApprovalPolicy>.Ok((await LoadAsync(db, policy.Id, cancellationToken).ConfigureAwait(false))!);
    }

    /// <summary>The policy, or null.</summary>
    public async Task<ApprovalPolicy?> GetAsync(Guid policyId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await LoadAsync(db, policyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every policy of the tenant, by name.</summary>
    public async Task<IReadOnlyList<ApprovalPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var ids = await db.ApprovalPolicies.InTenant(TenantScope.Of(null)).OrderBy(p => p.Name).Select(p => p.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var policies = new List<ApprovalPolicy>(ids.Count);
        foreach (var id in ids)
        {
            if (await LoadAsync(db, id, cancellationToken).ConfigureAwait(false) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    /// <summary>The policy that governs <paramref name="kind"/>, or null (then the operation cannot be proposed).</summary>
    public async Task<ApprovalPolicy?> ForKindAsync(OperationKind kind, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await ForKindAsync(db, kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables an approver in a policy (voluntary): refused when its group could then not reach its threshold.</summary>
    public Task<QuorumFailure?> DisableApproverAsync(Guid policyId, Guid accountId, CancellationToken cancellationToken = default) =>
        ChangeAsync(policyId, async (db, policy) =>
        {
            var group = policy.Groups.FirstOrDefault(g => g.Approvers.Any(a => a.AccountId == accountId));
            if (group is null)
            {
                return new QuorumFailure(QuorumError.ApproverRemoved, "not an approver of this policy");
            }

            if (PolicyRules.CheckVoluntaryLoss(group, accountId) is { } strands)
            {
                return strands;
            }

            var now = Now;
            await db.ApprovalMembers.Where(m => m.PolicyId == policyId && m.AccountId == accountId && m.DisabledAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DisabledAt, now), cancellationToken).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>Enables an approver again. It does not lift a stranding: recovery is a separate, audited step (<see cref="RecoverAsync"/>).</summary>
    public Task<QuorumFailure?> EnableApproverAsync(Guid policyId, Guid accountId, CancellationToken cancellationToken = default) =>
        ChangeAsync(policyId, async (db, _) =>
        {
            var changed = await db.ApprovalMembers.Where(m => m.PolicyId == policyId && m.AccountId == accountId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DisabledAt, (long?)null), cancellationToken).ConfigureAwait(false);
            return changed == 1 ? null : new QuorumFailure(QuorumError.ApproverRemoved, "not an approver of this policy");
        }, cancellationToken);

    /// <summary>
    /// Removes an approver whose key is lost or stolen from every policy: always done, because a stolen key must never
    /// stay valid. Each policy left with a group short of its threshold is marked stranded (its operations are refused
    /// until the break-glass recovery, <see cref="RecoverAsync"/>, restores a quorum). Returns the ids of the policies it stranded.
    /// </summary>
    public Task<IReadOnlyList<Guid>> ForceRemoveApproverAsync(Guid accountId, CancellationToken cancellationToken = default) =>
        ForceRemoveApproverAsync(accountId, onlyPolicies: null, cancellationToken);

    /// <summary>
    /// As <see cref="ForceRemoveApproverAsync(Guid, CancellationToken)"/>, from <paramref name="onlyPolicies"/> only (every
    /// policy when null): an approver who lost its last key one policy accepts may still approve under another that
    /// allows synced passkeys.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ForceRemoveApproverAsync(Guid accountId, IReadOnlyCollection<Guid>? onlyPolicies, CancellationToken cancellationToken = default)
    {
        var tenant = TenantScope.Of(null);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var memberships = db.ApprovalMembers.InTenant(tenant).Where(m => m.AccountId == accountId);
        if (onlyPolicies is not null)
        {
            var only = onlyPolicies.ToList();
            memberships = memberships.Where(m => only.Contains(m.PolicyId));
        }

        var policyIds = await memberships.Select(m => m.PolicyId).Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        await memberships.ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var stranded = new List<Guid>();
        var now = Now;
        foreach (var id in policyIds)
        {
            var policy = await LoadAsync(db, id, cancellationToken).ConfigureAwait(false);
            if (policy is not null && PolicyRules.IsShort(policy.Groups))
            {
                await db.ApprovalPolicies.Where(p => p.Id == id && p.StrandedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.StrandedAt, now), cancellationToken).ConfigureAwait(false);
                stranded.Add(id);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stranded;
    }

    /// <summary>
    /// Break-glass recovery of a stranded policy, run on the server itself (<c>keyward admin recover-quorum</c>, audited
    /// by the caller): in one transaction under the policy's row lock, optionally adds <paramref name="addApprover"/>
    /// (an enabled account not yet in the policy) to <paramref name="group"/> and/or sets its threshold, then lifts the
    /// stranding only when every group can reach its threshold again (at least 1). Pending requests under the policy
    /// are withdrawn: they were proposed against the old quorum. Refused on a policy that is not stranded.
    /// </summary>
    public async Task<QuorumFailure?> RecoverAsync(Guid policyId, string group, int? threshold, Guid? addApprover, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await LockAsync(db, policyId, cancellationToken).ConfigureAwait(false) is not { } policy)
        {
            return new QuorumFailure(QuorumError.PolicyUnknown);
        }

        if (!policy.Stranded)
        {
            return new QuorumFailure(QuorumError.PolicyInvalid, "the policy is not stranded; change it with approved operations");
        }

        if (policy.Groups.FirstOrDefault(g => g.Name == group) is not { } target)
        {
            return new QuorumFailure(QuorumError.PolicyInvalid, "no such group in the policy");
        }

        var tenant = TenantScope.Of(null);
        var now = Now;
        var active = target.ActiveCount;
        if (addApprover is { } joining)
        {
            if (policy.Groups.Any(g => g.Approvers.Any(a => a.AccountId == joining))
                || !await db.Accounts.AnyAsync(a => a.Id == joining && a.TenantId == tenant && a.DisabledAt == null, cancellationToken).ConfigureAwait(false))
            {
                return new QuorumFailure(QuorumError.PolicyInvalid, "the new approver must be an enabled account not yet in the policy");
            }

            db.ApprovalMembers.Add(new ApprovalMemberEntity { Id = Guid.NewGuid(), TenantId = tenant, PolicyId = policyId, GroupId = target.Id, AccountId = joining, CreatedAt = now });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            active++;
        }

        var newThreshold = threshold ?? target.Threshold;
        if (PolicyRules.CheckThreshold(newThreshold, active) is { } badThreshold)
        {
            return badThreshold;
        }

        if (policy.Groups.Any(g => g.Id != target.Id && !g.CanReachThreshold))
        {
            return new QuorumFailure(QuorumError.WouldStrand, "another group is short too: recover it first");
        }

        await db.ApprovalGroups.Where(g => g.Id == target.Id).ExecuteUpdateAsync(s => s.SetProperty(g => g.Threshold, newThreshold), cancellationToken).ConfigureAwait(false);
        await db.ApprovalPolicies.Where(p => p.Id == policyId).ExecuteUpdateAsync(s => s.SetProperty(p => p.StrandedAt, (long?)null), cancellationToken).ConfigureAwait(false);
        await db.ApprovalRequests.Where(r => r.PolicyId == policyId && r.State == ApprovalStates.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Withdrawn).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Runs a voluntary change in a transaction that holds the policy's row lock; refused on a stranded policy.</summary>
    private async Task<QuorumFailure?> ChangeAsync(Guid policyId, Func<KeywardDbContext, ApprovalPolicy, Task<QuorumFailure?>> change, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await LockAsync(db, policyId, cancellationToken).ConfigureAwait(false) is not { } policy)
        {
            return new QuorumFailure(QuorumError.PolicyUnknown);
        }

        if (policy.Stranded)
        {
            return new QuorumFailure(QuorumError.PolicyStranded);
        }

        var failure = await change(db, policy).ConfigureAwait(false);
        if (failure is null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return failure;
    }

    /// <summary>Takes the policy row's write lock (an UPDATE that changes nothing) and reads the policy under it.</summary>
    internal static async Task<ApprovalPolicy?> LockAsync(KeywardDbContext db, Guid policyId, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(null);
        var locked = await db.ApprovalPolicies.InTenant(tenant).Where(p => p.Id == policyId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, p => p.Name), cancellationToken).ConfigureAwait(false);
        return locked == 1 ? await LoadAsync(db, policyId, cancellationToken).ConfigureAwait(false) : null;
    }

    internal static async Task<ApprovalPolicy?> ForKindAsync(KeywardDbContext db, OperationKind kind, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(null);
        var policyId = await db.ApprovalPolicyKinds.InTenant(tenant).Where(k => k.Kind == (int)kind)
            .Select(k => (Guid?)k.PolicyId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return policyId is { } id ? await LoadAsync(db, id, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Reads a policy with its groups; an approver is active when neither the membership nor the account is disabled.</summary>
    internal static async Task<ApprovalPolicy?> LoadAsync(KeywardDbContext db, Guid policyId, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(null);
        var row = await db.ApprovalPolicies.InTenant(tenant).AsNoTracking().FirstOrDefaultAsync(p => p.Id == policyId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var kinds = await db.ApprovalPolicyKinds.InTenant(tenant).Where(k => k.PolicyId == policyId)
            .Select(k => k.Kind).ToListAsync(cancellationToken).ConfigureAwait(false);
        var groups = await db.ApprovalGroups.InTenant(tenant).AsNoTracking().Where(g => g.PolicyId == policyId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var members = await (
            from m in db.ApprovalMembers.InTenant(tenant)
            where m.PolicyId == policyId
            join a in db.Accounts on m.AccountId equals a.Id into accounts
            from a in accounts.DefaultIfEmpty()
            select new { m.GroupId, m.AccountId, Active = m.DisabledAt == null && a != null && a.DisabledAt == null })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ApprovalPolicy
        {
            Id = row.Id,
            Name = row.Name,
            Kinds = [.. kinds.Order().Select(k => (OperationKind)k)],
            AllowSyncedPasskeys = row.AllowSyncedPasskeys,
            Stranded = row.StrandedAt is not null,
            Groups = [.. groups.OrderBy(g => g.Name, StringComparer.Ordinal).Select(g => new ApprovalGroup
            {
                Id = g.Id,
                Name = g.Name,
                Threshold = g.Threshold,
                Approvers = [.. members.Where(m => m.GroupId == g.Id).Select(m => new ApproverState(m.AccountId, m.Active))],
            })],
        };
    }
}
