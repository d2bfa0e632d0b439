using Keyward.Core.Cluster;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Agents;

/// <summary>
/// Enrolled machines: list them, check an agent key (the machine's identity is its key, nothing the agent claims),
/// revoke a key, soft-delete machines (one, or a bounded batch), and record when an agent was last seen (at most once
/// per <see cref="LastSeenInterval"/>, so connected agents do not write on every heartbeat). Revoking and deleting
/// raise <see cref="KeyEnded"/> on this node, so its live socket closes at once; on PostgreSQL the other nodes hear it
/// through the revocation bus (<see cref="ApplyKeyEndedElsewhereAsync"/>) and, as a sweep, by asking <see cref="EndedAsync"/>.
/// </summary>
public sealed class MachineService(KeywardDatabase database, TimeProvider time, RevocationBus? bus = null)
{
    private readonly RevocationBus _bus = bus ?? RevocationBus.None;

    /// <summary>The most machines one bulk delete takes.</summary>
    public const int MaxBulk = 100;

    /// <summary>How often a connected agent's last-seen time is written, at most.</summary>
    public static readonly TimeSpan LastSeenInterval = TimeSpan.FromMinutes(1);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Raised on this node after a machine's key stopped working (revoked, or the machine deleted), with its id.</summary>
    public event Action<Guid>? KeyEnded;

    /// <summary>The machines of <paramref name="tenantId"/> that are not deleted, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<MachineInfo>> ListAsync(string tenantId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = database.CreateContext();
        var rows = await db.Machines.AsNoTracking().InTenant(tenantId).Where(m => m.DeletedAt == null)
            .OrderBy(m => m.EnrolledAt).ThenBy(m => m.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Info)];
    }

    /// <summary>A machine of <paramref name="tenantId"/> that is not deleted, or null.</summary>
    public async Task<MachineInfo?> FindAsync(Guid id, string tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.Machines.AsNoTracking().InTenant(tenantId).SingleOrDefaultAsync(m => m.Id == id && m.DeletedAt == null, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Info(row);
    }

    /// <summary>
    /// The machine whose key <paramref name="key"/> is, or why not. A malformed key (or one of another kind) is refused
    /// without a database read. Database errors are not caught: the caller refuses (fails closed).
    /// </summary>
    public async Task<MachineAuthentication> AuthenticateAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Agent, key))
        {
            return new MachineAuthentication(null, AgentKeyFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.Agent, key!);
        await using var db = database.CreateContext();
        var row = await db.Machines.AsNoTracking().SingleOrDefaultAsync(m => m.KeyHash == hash, cancellationToken).ConfigureAwait(false);
        return row switch
        {
            null => new MachineAuthentication(null, AgentKeyFailure.Invalid),
            { DeletedAt: not null } => new MachineAuthentication(null, AgentKeyFailure.Deleted, row.Id),
            { KeyRevokedAt: not null } => new MachineAuthentication(null, AgentKeyFailure.Revoked, row.Id),
            _ => new MachineAuthentication(Info(row), null),
        };
    }

    /// <summary>Revokes the key of a machine of <paramref name="tenantId"/>; false when no such machine (or it is deleted). Revoking twice is true and changes nothing.</summary>
    public async Task<bool> RevokeKeyAsync(Guid id, string tenantId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        var found = await db.Machines.InTenant(tenantId).AnyAsync(m => m.Id == id && m.DeletedAt == null, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return false;
        }

        await using (var transaction = await _bus.BeginAsync(db, cancellationToken).ConfigureAwait(false))
        {
            var revoked = await db.Machines.InTenant(tenantId).Where(m => m.Id == id && m.KeyRevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.KeyRevokedAt, now), cancellationToken).ConfigureAwait(false);
            await _bus.PublishAsync(db, RevocationKind.Machine, "", revoked == 1 ? [id] : [], cancellationToken).ConfigureAwait(false);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        KeyEnded?.Invoke(id);
        return true;
    }

    /// <summary>
    /// Soft-deletes up to <see cref="MaxBulk"/> machines of <paramref name="tenantId"/>; returns the ids that were deleted
    /// now (unknown or already deleted ids are left out).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> DeleteAsync(IReadOnlyCollection<Guid> ids, Guid? by, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Count, MaxBulk);
        var wanted = ids.Distinct().ToList();
        var now = Now;
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var live = await db.Machines.InTenant(tenantId).Where(m => wanted.Contains(m.Id) && m.DeletedAt == null).Select(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        await db.Machines.InTenant(tenantId).Where(m => live.Contains(m.Id) && m.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, now).SetProperty(m => m.DeletedBy, by), cancellationToken).ConfigureAwait(false);
        await _bus.PublishAsync(db, RevocationKind.Machine, "", live, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in live)
        {
            KeyEnded?.Invoke(id);
        }

        return live;
    }

    /// <summary>
    /// Applies machine keys another node says it ended (heard through the revocation bus). A notice is only a hint (anyone
    /// who can connect to the database can send one), so the ids are read back (one query) and <see cref="KeyEnded"/> is
    /// raised here only for machines whose key is really revoked or that are really deleted, so this node's agent socket
    /// and viewers of them close at once. Returns how many were; the rest (unknown or live) are ignored.
    /// </summary>
    public async Task<int> ApplyKeyEndedElsewhereAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Distinct().ToList();
        await using var db = database.CreateContext();
        var ended = await db.Machines.AsNoTracking().Where(m => wanted.Contains(m.Id) && (m.KeyRevokedAt != null || m.DeletedAt != null))
            .Select(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ended)
        {
            KeyEnded?.Invoke(id);
        }

        return ended.Count;
    }

    /// <summary>Of <paramref name="ids"/>, those whose key no longer works (revoked, deleted, or gone): the sweep that covers other nodes.</summary>
    public async Task<IReadOnlyList<Guid>> EndedAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var ended = new List<Guid>();
        await using var db = database.CreateContext();
        foreach (var chunk in ids.Chunk(500))
        {
            var live = await db.Machines.AsNoTracking().Where(m => chunk.Contains(m.Id) && m.KeyRevokedAt == null && m.DeletedAt == null)
                .Select(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            ended.AddRange(chunk.Except(live));
        }

        return ended;
    }

    /// <summary>
    /// Records that the machine's agent is connected now, with what it reports; writes only when the last record is older
    /// than <see cref="LastSeenInterval"/> (one conditional UPDATE). True when it wrote.
    /// </summary>
    public async Task<bool> RecordSeenAsync(Guid id, string? version, string? hostname, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var before = now - (long)LastSeenInterval.TotalMilliseconds;
        var reportedVersion = EnrollmentService.Bounded(version, 64);
        var reportedHost = EnrollmentService.Bounded(hostname, 253);
        await using var db = database.CreateContext();
        return await db.Machines.Where(m => m.Id == id && (m.LastSeenAt == null || m.LastSeenAt <= before))
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.LastSeenAt, now)
                    .SetProperty(m => m.Version, m => reportedVersion ?? m.Version)
                    .SetProperty(m => m.Hostname, m => reportedHost ?? m.Hostname),
                cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>The public view of a row.</summary>
    internal static MachineInfo Info(MachineEntity row) => new(
        row.Id,
        row.TenantId,
        row.Label,
        row.Policy,
        Joiners.Read(row.JoinAccounts, row.JoinRoles),
        DateTimeOffset.FromUnixTimeMilliseconds(row.EnrolledAt),
        row.EnrolledBy,
        row.Hostname,
        row.Version,
        row.LastSeenAt is { } seen ? DateTimeOffset.FromUnixTimeMilliseconds(seen) : null,
        row.KeyRevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
}
