using Keyward.Core.Cluster;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Sessions;

/// <summary>Ending sessions: logout, revocation, key removal, and the in-memory marks that make them take effect at once.</summary>
public sealed partial class SessionService
{
    /// <summary>Ends the session a token names (logout). False when the token names no live session.</summary>
    public async Task<bool> EndAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Session, token))
        {
            return false;
        }

        var hash = SecretToken.Hash(CredentialKind.Session, token!);
        await using var db = _database.CreateContext();
        var id = await db.Sessions.Where(s => s.TokenHash == hash && s.RevokedAt == null).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return id is { } sessionId && await RevokeWhereAsync(db, s => s.Id == sessionId, RevocationReasons.Logout, cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Ends a session by its id (logout of the request's own, already authenticated session).</summary>
    public async Task<bool> EndAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await RevokeWhereAsync(db, s => s.Id == sessionId, RevocationReasons.Logout, cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// True when this node has ended the session (logout, revocation, key removal) or heard through the revocation bus
    /// that another node did. No I/O: for holders of a session id that must not miss an <see cref="Ended"/> that fired
    /// just before they started listening.
    /// </summary>
    public bool HasEndedOnThisNode(Guid sessionId) => _revoked.ContainsKey(sessionId);

    private string? RevokedReason(Guid sessionId) => _revoked.TryGetValue(sessionId, out var ended) ? ended.Reason : null;

    /// <summary>True when the session is the account's and not yet revoked or logged out (what <see cref="RevokeAsync"/> would end).</summary>
    public async Task<bool> IsRevocableAsync(Guid accountId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await db.Sessions.AnyAsync(s => s.Id == sessionId && s.AccountId == accountId && s.RevokedAt == null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes one of an account's own sessions. False when it is not theirs or already ended.</summary>
    public async Task<bool> RevokeAsync(Guid accountId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await RevokeWhereAsync(db, s => s.Id == sessionId && s.AccountId == accountId, RevocationReasons.Revoked, cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Revokes every live session of an account; returns how many.</summary>
    public Task<int> RevokeAllAsync(Guid accountId, CancellationToken cancellationToken = default) =>
        RevokeAllAsync(accountId, RevocationReasons.Revoked, cancellationToken);

    /// <summary>Ends every live session of an account for <paramref name="reason"/> (<see cref="RevocationReasons"/>); returns how many.</summary>
    public async Task<int> RevokeAllAsync(Guid accountId, string reason, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await RevokeWhereAsync(db, s => s.AccountId == accountId, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every session an authenticator opened (it was removed); returns how many.</summary>
    public async Task<int> RevokeForAuthenticatorAsync(Guid authenticatorId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await RevokeWhereAsync(db, s => s.AuthenticatorId == authenticatorId, RevocationReasons.AuthenticatorRemoved, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RevokeWhereAsync(KeywardDbContext db, System.Linq.Expressions.Expression<Func<SessionEntity, bool>> match, string reason, CancellationToken cancellationToken)
    {
        var now = Now;
        var ids = await db.Sessions.Where(match).Where(s => s.RevokedAt == null).Select(s => new { s.Id, s.ExpiresAt }).ToListAsync(cancellationToken).ConfigureAwait(false);
        // Stryker disable once Block : equivalent, a short cut; with no ids the update, delete and loops below do nothing and 0 is returned
        if (ids.Count == 0)
        {
            return 0;
        }

        // Mark first: from here on no cached or racing read of these sessions is honoured on this node.
        foreach (var s in ids)
        {
            _revoked[s.Id] = (s.ExpiresAt, reason);
        }

        var idList = ids.Select(s => s.Id).ToList();

        // On PostgreSQL the other nodes are told in the same transaction: the notice goes out exactly when this commits.
        await using var transaction = await _bus.BeginAsync(db, cancellationToken).ConfigureAwait(false);
        var updated = await db.Sessions.Where(s => idList.Contains(s.Id) && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), cancellationToken).ConfigureAwait(false);

        // Ending a session ends its step-ups (they are bound to it and useless without it, but gone is cleaner).
        await db.StepUps.Where(s => idList.Contains(s.SessionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await _bus.PublishAsync(db, RevocationKind.Session, reason, idList, cancellationToken).ConfigureAwait(false);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        // Stryker disable once all : equivalent, cache eviction only; a cached read checks _revoked (marked above) before it is honoured
        foreach (var pair in _cache.Where(p => _revoked.ContainsKey(p.Value.Session.Id)).ToList())
        {
            _cache.TryRemove(pair.Key, out _);
        }

        // Stryker disable once all : equivalent, cache eviction only; CheckIdAsync checks _revoked (marked above) first
        foreach (var id in idList)
        {
            _byId.TryRemove(id, out _);
        }

        SweepRevoked(now);
        foreach (var id in idList)
        {
            Ended?.Invoke(id);
            EndedByThisNode?.Invoke(id);
        }

        return updated;
    }

    /// <summary>The most entries the revocation bus adds to the revoked-id set; past it, heard revocations still evict and fire <see cref="Ended"/>.</summary>
    public const int MaxHeardMarks = 100_000;

    /// <summary>How many sessions this node currently marks as ended (its own and heard ones, until they expire). For diagnostics and tests.</summary>
    public int EndedMarkCount => _revoked.Count;

    /// <summary>
    /// Applies sessions another node says it ended (heard through the revocation bus). A notice is only a hint: anyone who
    /// can connect to the database can send one, so the ids are read back from the database (one query) and only those
    /// whose row is really revoked are applied: from now on no cached or racing read of them is honoured here, and
    /// <see cref="Ended"/> fires for each, so this node's sockets and cached assertions of them let go. A session this
    /// node already knows as ended is skipped without a read. Returns how many of the ids are really ended (the rest,
    /// unknown or live, are ignored).
    /// </summary>
    public async Task<int> ApplyEndedElsewhereAsync(IReadOnlyCollection<Guid> sessionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var distinct = sessionIds.Distinct().ToList();
        var unknown = distinct.Where(id => !_revoked.ContainsKey(id)).ToList();
        if (unknown.Count == 0)
        {
            return distinct.Count;
        }

        await using var db = _database.CreateContext();
        var ended = await db.Sessions.AsNoTracking().Where(s => unknown.Contains(s.Id) && s.RevokedAt != null)
            .Select(s => new { s.Id, s.ExpiresAt, s.RevokedReason }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        var newlyEnded = new List<Guid>(ended.Count);
        foreach (var row in ended)
        {
            // Kept until the session would have expired anyway (an expired one is refused by expiry); the bus adds at
            // most MaxHeardMarks, so its set stays bounded whatever is sent.
            if (row.ExpiresAt <= now || _revoked.Count >= MaxHeardMarks || _revoked.TryAdd(row.Id, (row.ExpiresAt, row.RevokedReason ?? RevocationReasons.Revoked)))
            {
                newlyEnded.Add(row.Id);
            }

            if (_byId.TryRemove(row.Id, out var entry))
            {
                _cache.TryRemove(Key(entry.TokenHash), out _);
            }
        }

        SweepRevoked(now);
        foreach (var id in newlyEnded)
        {
            Ended?.Invoke(id);
        }

        return distinct.Count - unknown.Count + ended.Count;
    }

    // The listener came back: whatever was cached may have missed a revocation while it was down.
    private void DropCache()
    {
        _cache.Clear();
        _byId.Clear();
    }

    // Amortised: a full scan only once the set has doubled since the last one (at least 10,000), never on every call.
    private void SweepRevoked(long now)
    {
        if (_revoked.Count < Volatile.Read(ref _sweepAt))
        {
            return;
        }

        foreach (var pair in _revoked)
        {
            if (pair.Value.ExpiresAt < now)
            {
                _revoked.TryRemove(pair.Key, out _);
            }
        }

        Volatile.Write(ref _sweepAt, Math.Max(SweepFloor, _revoked.Count * 2));
    }
}
