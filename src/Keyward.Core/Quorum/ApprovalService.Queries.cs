using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

public sealed partial class ApprovalService
{
    /// <summary>Most requests one listing returns.</summary>
    public const int MaxListed = 200;

    /// <summary>The pending requests that have not expired, newest first (at most <see cref="MaxListed"/>).</summary>
    public async Task<IReadOnlyList<ApprovalRequest>> ListPendingAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = _database.CreateContext();
        var rows = await db.ApprovalRequests.InTenant(TenantScope.Of(null)).AsNoTracking()
            .Where(r => r.State == ApprovalStates.Pending && r.ExpiresAt > now)
            .OrderByDescending(r => r.CreatedAt).Take(MaxListed).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => ToRequest(r, StoredOperation(r)))];
    }

    /// <summary>The approvals counted for a request, oldest first.</summary>
    public async Task<IReadOnlyList<ApprovalVote>> VotesAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        var rows = await db.ApprovalVotes.InTenant(TenantScope.Of(null)).AsNoTracking().Where(v => v.RequestId == requestId)
            .OrderBy(v => v.CreatedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(v => new ApprovalVote(v.AccountId, v.AuthenticatorId, v.GroupId, v.SignCount, DateTimeOffset.FromUnixTimeMilliseconds(v.CreatedAt)))];
    }

    /// <summary>
    /// Denies a pending, unexpired request: only an active approver of its policy may, and the request then takes no
    /// more votes (one approver's refusal is a veto; fail closed). One conditional UPDATE decides, so a deny and a
    /// completing vote cannot both win.
    /// </summary>
    public async Task<QuorumFailure?> DenyAsync(Guid requestId, Guid byAccountId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = _database.CreateContext();
        var row = await db.ApprovalRequests.InTenant(TenantScope.Of(null)).AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return new QuorumFailure(QuorumError.RequestUnknown);
        }

        if (Closed(row, now) is { } closed)
        {
            return closed;
        }

        var policy = await ApprovalPolicyService.LoadAsync(db, row.PolicyId, cancellationToken).ConfigureAwait(false);
        if (policy?.ActiveGroupOf(byAccountId) is null)
        {
            return new QuorumFailure(QuorumError.NotDeniable);
        }

        var denied = await db.ApprovalRequests.Where(r => r.Id == requestId && r.State == ApprovalStates.Pending && r.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Denied).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
        if (denied == 1)
        {
            return null;
        }

        var after = await db.ApprovalRequests.AsNoTracking().FirstAsync(r => r.Id == requestId, cancellationToken).ConfigureAwait(false);
        return Closed(after, now) ?? new QuorumFailure(QuorumError.RequestUnknown);
    }

    /// <summary>The pending requests past their lifetime (the ones <see cref="ExpireAsync"/> would mark), for an audit record of each.</summary>
    public async Task<IReadOnlyList<Guid>> ExpireListedAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = _database.CreateContext();
        var ids = await db.ApprovalRequests.InTenant(TenantScope.Of(null))
            .Where(r => r.State == ApprovalStates.Pending && r.ExpiresAt <= now).Select(r => r.Id).Take(MaxListed)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var expired = new List<Guid>();
        foreach (var id in ids)
        {
            // One conditional UPDATE each: a request that completed or was withdrawn meanwhile is not reported.
            var changed = await db.ApprovalRequests.Where(r => r.Id == id && r.State == ApprovalStates.Pending && r.ExpiresAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Expired).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
            if (changed == 1)
            {
                expired.Add(id);
            }
        }

        return expired;
    }
}
