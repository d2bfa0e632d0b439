using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Capabilities;

/// <summary>
/// Service identities (docs/capabilities.md, "Actors"): an admin creates one and gets its key <c>kwv_</c> once (only
/// the hash is stored), lists them, revokes one (its key is refused from then on). <see cref="AuthenticateAsync"/> is
/// the only way a key becomes an identity: nothing the service claims selects which row it is.
/// </summary>
public sealed class ServiceIdentityService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>The longest label, in characters.</summary>
    public const int MaxLabelLength = 200;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates a service identity with id <paramref name="id"/>; returns its key (shown once) and the identity.</summary>
    public async Task<(string Key, ServiceIdentityInfo Identity)> CreateAsync(Guid id, string label, Guid createdBy, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var key = SecretToken.Generate(CredentialKind.Service);
        var row = new ServiceIdentityEntity
        {
            Id = id,
            TenantId = tenantId,
            Label = label,
            KeyHash = SecretToken.Hash(CredentialKind.Service, key),
            CreatedAt = Now,
            CreatedBy = createdBy,
        };
        await using var db = database.CreateContext();
        db.ServiceIdentities.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (key, Info(row));
    }

    /// <summary>The service identities of <paramref name="tenantId"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<ServiceIdentityInfo>> ListAsync(string tenantId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var db = database.CreateContext();
        var rows = await db.ServiceIdentities.AsNoTracking().InTenant(tenantId)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Info)];
    }

    /// <summary>A service identity of <paramref name="tenantId"/>, or null.</summary>
    public async Task<ServiceIdentityInfo?> FindAsync(Guid id, string tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.ServiceIdentities.AsNoTracking().InTenant(tenantId).SingleOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Info(row);
    }

    /// <summary>
    /// The identity whose key <paramref name="key"/> is, or why not. A malformed key (or one of another kind) is refused
    /// without a database read. Database errors are not caught: the caller refuses (fails closed).
    /// </summary>
    public async Task<ServiceAuthentication> AuthenticateAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Service, key))
        {
            return new ServiceAuthentication(null, ServiceKeyFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.Service, key!);
        await using var db = database.CreateContext();
        var row = await db.ServiceIdentities.AsNoTracking().SingleOrDefaultAsync(s => s.KeyHash == hash, cancellationToken).ConfigureAwait(false);
        return row switch
        {
            null => new ServiceAuthentication(null, ServiceKeyFailure.Invalid),
            { RevokedAt: not null } => new ServiceAuthentication(null, ServiceKeyFailure.Revoked, row.Id),
            _ => new ServiceAuthentication(Info(row), null),
        };
    }

    /// <summary>Revokes a service identity's key; false when there is no such identity. Revoking twice is true and changes nothing.</summary>
    public async Task<bool> RevokeAsync(Guid id, Guid by, string tenantId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        if (!await db.ServiceIdentities.InTenant(tenantId).AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await db.ServiceIdentities.InTenant(tenantId).Where(s => s.Id == id && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RevokedAt, now).SetProperty(r => r.RevokedBy, by), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static ServiceIdentityInfo Info(ServiceIdentityEntity row) => new(
        row.Id,
        row.TenantId,
        row.Label,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        row.CreatedBy,
        row.RevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
}
