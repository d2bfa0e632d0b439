using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Capabilities;

/// <summary>
/// Scopes once granted (docs/capabilities.md): list them, find the one that allows a mint, revoke one (no quorum needed
/// to narrow), and tell the verifier whether a capability's scope still stands with the nonce it was minted under.
/// Granting and widening happen only through approvals (<see cref="GrantScopeApplier"/>, <see cref="WidenScopeApplier"/>).
/// </summary>
public sealed class ScopeService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>The most scopes one list answers.</summary>
    public const int ListLimit = 1000;

    /// <summary>The scopes of <paramref name="tenantId"/> (of one actor when <paramref name="actorId"/> is given), live and revoked, oldest first.</summary>
    public async Task<IReadOnlyList<CapabilityScope>> ListAsync(string tenantId, Guid? actorId = null, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var rows = db.CapabilityScopes.AsNoTracking().InTenant(tenantId);
        if (actorId is { } actor)
        {
            rows = rows.Where(s => s.ActorId == actor);
        }

        var list = await rows.OrderBy(s => s.GrantedAt).ThenBy(s => s.Id).Take(ListLimit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.Select(Info)];
    }

    /// <summary>A scope of <paramref name="tenantId"/>, or null.</summary>
    public async Task<CapabilityScope?> FindAsync(Guid id, string tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.CapabilityScopes.AsNoTracking().InTenant(tenantId).FirstOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Info(row);
    }

    /// <summary>
    /// Revokes a scope and moves its (operator, actor) scope nonce on, in one transaction: every capability minted
    /// for that pair before now is refused from now on. False when there is no such scope; revoking twice is true and
    /// moves the nonce again (harmless).
    /// </summary>
    public async Task<bool> RevokeAsync(Guid id, Guid by, string tenantId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.CapabilityScopes.InTenant(tenantId).FirstOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return false;
        }

        await db.CapabilityScopes.Where(s => s.Id == id && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RevokedAt, now).SetProperty(r => r.RevokedBy, by), cancellationToken).ConfigureAwait(false);
        var moved = await db.ScopeNonces.Where(n => n.OperatorId == row.OperatorId && n.ActorId == row.ActorId)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Nonce, n => n.Nonce + 1), cancellationToken).ConfigureAwait(false);
        if (moved == 0)
        {
            db.ScopeNonces.Add(new ScopeNonceEntity { OperatorId = row.OperatorId, ActorId = row.ActorId, TenantId = row.TenantId, Nonce = 1 });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The live scope of the actor that allows <paramref name="operation"/> on <paramref name="dataClass"/> at
    /// <paramref name="path"/> (granted by <paramref name="operatorId"/> when given; otherwise the actor's scopes must all
    /// come from one operator), with the scope nonce now; or why none does.
    /// </summary>
    public async Task<ScopeMatch> AuthorizeAsync(
        string tenantId, Guid actorId, CapabilityActorKind kind, Guid? operatorId, string? operation, string? dataClass, string? path, CancellationToken cancellationToken = default)
    {
        var validPath = operation == CapabilityOperations.List ? ScopeRules.NormalizePrefix(path) : VaultPath.IsValid(path) ? path : null;
        if (!CapabilityOperations.IsDefined(operation) || VaultDataClass.Find(dataClass) is null || validPath is null)
        {
            return new ScopeMatch(null, 0, MintFailure.RequestInvalid);
        }

        await using var db = database.CreateContext();
        var rows = await db.CapabilityScopes.AsNoTracking().InTenant(tenantId)
            .Where(s => s.ActorId == actorId && s.ActorKind == (int)kind && s.RevokedAt == null)
            .OrderBy(s => s.GrantedAt).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (operatorId is null && rows.Select(s => s.OperatorId).Distinct().Count() > 1)
        {
            return new ScopeMatch(null, 0, MintFailure.OperatorAmbiguous);
        }

        var allowing = rows.Select(Info).FirstOrDefault(s =>
            (operatorId is null || s.OperatorId == operatorId)
            && s.Operations.Contains(operation!) && s.DataClasses.Contains(dataClass!) && s.Prefixes.Any(p => ScopeRules.Covers(p, validPath)));
        if (allowing is null)
        {
            return new ScopeMatch(null, 0, MintFailure.ScopeMissing);
        }

        var nonce = await db.ScopeNonces.AsNoTracking().Where(n => n.OperatorId == allowing.OperatorId && n.ActorId == actorId)
            .Select(n => n.Nonce).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return new ScopeMatch(allowing, nonce, null);
    }

    /// <summary>
    /// True when the scope is live, belongs to that (operator, actor), the pair's nonce is still <paramref name="nonce"/>,
    /// and the actor is still active: what a capability needs, besides its signature and expiry, to be accepted.
    /// </summary>
    public async Task<bool> StandsAsync(Guid scopeId, Guid operatorId, Guid actorId, CapabilityActorKind kind, long nonce, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var scope = await db.CapabilityScopes.AsNoTracking()
            .Where(s => s.Id == scopeId && s.OperatorId == operatorId && s.ActorId == actorId && s.ActorKind == (int)kind && s.RevokedAt == null)
            .Select(s => s.TenantId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (scope is null)
        {
            return false;
        }

        var current = await db.ScopeNonces.AsNoTracking().Where(n => n.OperatorId == operatorId && n.ActorId == actorId)
            .Select(n => n.Nonce).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return current == nonce && await GrantScopeApplier.ActorIsActiveAsync(db, scope, actorId, kind, cancellationToken).ConfigureAwait(false);
    }

    private static CapabilityScope Info(CapabilityScopeEntity row) => new(
        row.Id,
        row.TenantId,
        row.OperatorId,
        row.ActorId,
        (CapabilityActorKind)row.ActorKind,
        ScopeRules.Split(row.Operations),
        ScopeRules.Split(row.DataClasses),
        ScopeRules.Split(row.Prefixes),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GrantedAt),
        row.RevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
}
