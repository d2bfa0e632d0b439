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

    /// <summary>
    /// Applies sessions ended on another node (heard through the revocation bus): from now on no cached or racing read
    /// of them is honoured here, and <see cref="Ended"/> fires for each, so this node's sockets and cached assertions of
    /// them let go. A session this node already knows as ended is skipped. No I/O.
    /// </summary>
    public void ApplyEndedElsewhere(IReadOnlyCollection<Guid> sessionIds, string reason)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var now = Now;
        var newlyEnded = new List<Guid>(sessionIds.Count);
        foreach (var id in sessionIds)
        {
            // Kept until the session would have expired anyway; without a cached entry, at most its absolute lifetime.
            var expires = _byId.TryGetValue(id, out var cached) ? cached.ExpiresAt : now + (long)_options.AbsoluteLifetime.TotalMilliseconds;
            if (_revoked.TryAdd(id, (expires, string.IsNullOrEmpty(reason) ? RevocationReasons.Revoked : reason)))
            {
                newlyEnded.Add(id);
            }

            if (_byId.TryRemove(id, out var entry))
            {
                _cache.TryRemove(Key(entry.TokenHash), out _);
            }
        }

        SweepRevoked(now);
        foreach (var id in newlyEnded)
        {
            Ended?.Invoke(id);
        }
    }

    // The listener came back: whatever was cached may have missed a revocation while it was down.
    private void DropCache()
    {
        _cache.Clear();
        _byId.Clear();
    }

    private void SweepRevoked(long now)
    {
        if (_revoked.Count < 10_000)
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
    }
}
