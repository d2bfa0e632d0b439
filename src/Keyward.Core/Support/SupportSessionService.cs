using Keyward.Core.Cluster;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Support;

/// <summary>
/// Support sessions: open (for an enrolled machine or ad hoc), read, list, end, and reap the stale. Ending is one
/// conditional UPDATE (<c>EndedAt IS NULL</c>), so a session ends once whoever races to end it; <see cref="Ended"/> then
/// fires on this node (its join tokens are revoked and its viewer sockets closed by the listeners), and on PostgreSQL on
/// every other node through the revocation bus (<see cref="ApplyEndedElsewhereAsync"/>). Every query of the rows goes through
/// <see cref="TenantScope.InTenant"/>.
/// </summary>
public sealed class SupportSessionService(KeywardDatabase database, TimeProvider time, RevocationBus? bus = null)
{
    private readonly RevocationBus _bus = bus ?? RevocationBus.None;

    /// <summary>The most sessions one list answers.</summary>
    public const int MaxList = 500;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Raised after a support session is ended on this node, with its id.</summary>
    public event Action<Guid>? Ended;

    /// <summary>Opens a session in the pending state.</summary>
    public async Task<SupportSession> OpenAsync(SupportSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PendingLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "The pending lifetime must be positive.");
        }

        var now = Now;
        var entity = new SupportSessionEntity
        {
            Id = request.Id,
            TenantId = TenantScope.Of(request.AccountId),
            MachineId = request.MachineId,
            AccountId = request.AccountId,
            LoginSessionId = request.LoginSessionId,
            Attended = request.Attended,
            Reason = request.Reason,
            State = SupportSessionStates.Pending,
            CreatedAt = now,
            ExpiresAt = now + (long)request.PendingLifetime.TotalMilliseconds,
        };
        await using var db = database.CreateContext();
        db.SupportSessions.Add(entity);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return ToModel(entity);
    }

    /// <summary>The session with that id in the caller's tenant, or null.</summary>
    public async Task<SupportSession?> FindAsync(Guid id, Guid? callerAccountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.SupportSessions.AsNoTracking().InTenant(TenantScope.Of(callerAccountId))
            .SingleOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToModel(row);
    }

    /// <summary>Open sessions, newest first (at most <see cref="MaxList"/>): one account's, or every one (null).</summary>
    public async Task<IReadOnlyList<SupportSession>> ListOpenAsync(Guid? accountId, Guid callerAccountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var rows = db.SupportSessions.AsNoTracking().InTenant(TenantScope.Of(callerAccountId)).Where(s => s.EndedAt == null);
        if (accountId is { } only)
        {
            rows = rows.Where(s => s.AccountId == only);
        }

        var list = await rows.OrderByDescending(s => s.CreatedAt).Take(MaxList).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.Select(ToModel)];
    }

    /// <summary>How many sessions are open for a machine (for the per-machine cap).</summary>
    public async Task<int> CountOpenForMachineAsync(Guid machineId, Guid callerAccountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.SupportSessions.InTenant(TenantScope.Of(callerAccountId))
            .CountAsync(s => s.MachineId == machineId && s.EndedAt == null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many sessions an account has open (for the per-account cap).</summary>
    public async Task<int> CountOpenForAccountAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.SupportSessions.InTenant(TenantScope.Of(accountId))
            .CountAsync(s => s.AccountId == accountId && s.EndedAt == null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a session; true for the one caller that ended it, false when it was already ended or is unknown.</summary>
    public async Task<bool> EndAsync(Guid id, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var now = Now;
        await using var db = database.CreateContext();
        await using var transaction = await _bus.BeginAsync(db, cancellationToken).ConfigureAwait(false);
        var ended = await db.SupportSessions.Where(s => s.Id == id && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now).SetProperty(s => s.EndedReason, reason).SetProperty(s => s.State, SupportSessionStates.Ended), cancellationToken)
            .ConfigureAwait(false);
        await _bus.PublishAsync(db, RevocationKind.SupportSession, reason, ended == 1 ? [id] : [], cancellationToken).ConfigureAwait(false);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (ended == 1)
        {
            Ended?.Invoke(id);
        }

        return ended == 1;
    }

    /// <summary>
    /// Applies support sessions another node says it ended (heard through the revocation bus). A notice is only a hint
    /// (anyone who can connect to the database can send one), so the ids are read back (one query) and <see cref="Ended"/>
    /// is raised here only for sessions really ended, so this node's viewers and agent links of them close at once and
    /// their join tokens are revoked. Returns how many were; the rest (unknown or open) are ignored.
    /// </summary>
    public async Task<int> ApplyEndedElsewhereAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Distinct().ToList();
        await using var db = database.CreateContext();
        var ended = await db.SupportSessions.AsNoTracking().Where(s => wanted.Contains(s.Id) && s.EndedAt != null)
            .Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ended)
        {
            Ended?.Invoke(id);
        }

        return ended.Count;
    }

    /// <summary>
    /// Marks an open session active (an agent and a viewer are relayed; consent given where asked) and moves its expiry
    /// to <paramref name="lifetime"/> from now: an active session is no longer pending, but it is still bounded. Called
    /// for every relayed viewer, so a viewer joining again also ends an idle countdown (<see cref="IdleAsync"/>).
    /// </summary>
    public async Task<bool> MarkActiveAsync(Guid id, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var expires = Now + (long)lifetime.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.SupportSessions.Where(s => s.Id == id && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SupportSessionStates.Active).SetProperty(s => s.ExpiresAt, expires), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// The last viewer of an open session left: it now expires <paramref name="idle"/> from now (never later than it
    /// would have), and the reaper ends it then unless a viewer joins first.
    /// </summary>
    public async Task<bool> IdleAsync(Guid id, TimeSpan idle, CancellationToken cancellationToken = default)
    {
        var expires = Now + (long)idle.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.SupportSessions.Where(s => s.Id == id && s.EndedAt == null && s.ExpiresAt > expires)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ExpiresAt, expires), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Adds a relayed viewer's byte counts to the session's totals (one UPDATE, so concurrent viewers add up).</summary>
    public async Task AddBytesAsync(Guid id, long toAgent, long toViewer, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await db.SupportSessions.Where(s => s.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.BytesToAgent, s => s.BytesToAgent + toAgent).SetProperty(s => s.BytesToViewer, s => s.BytesToViewer + toViewer), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The byte totals of a session (to the agent, to the viewers), or null when unknown.</summary>
    public async Task<(long ToAgent, long ToViewer)?> BytesAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.SupportSessions.AsNoTracking().Where(s => s.Id == id).Select(s => new { s.BytesToAgent, s.BytesToViewer })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : (row.BytesToAgent, row.BytesToViewer);
    }

    /// <summary>Ends every session past its expiry (<see cref="SupportEndReasons.Expired"/>); returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> ReapAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        List<Guid> stale;
        await using (var db = database.CreateContext())
        {
            stale = await db.SupportSessions.Where(s => s.EndedAt == null && s.ExpiresAt <= now).Select(s => s.Id).Take(MaxList)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var reaped = new List<Guid>(stale.Count);
        foreach (var id in stale)
        {
            if (await EndAsync(id, SupportEndReasons.Expired, cancellationToken).ConfigureAwait(false))
            {
                reaped.Add(id);
            }
        }

        return reaped;
    }

    private static SupportSession ToModel(SupportSessionEntity s) => new(
        s.Id, s.MachineId, s.AccountId, s.LoginSessionId, s.Attended, s.Reason, s.State,
        DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(s.ExpiresAt),
        s.EndedAt is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null, s.EndedReason);
}
