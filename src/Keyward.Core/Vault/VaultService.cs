using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Vault;

/// <summary>
/// The vault's secrets (docs/vault.md): put a new version, get the latest or a given version, list paths under a
/// prefix (never values), delete (soft, every version). Each version is envelope-encrypted (<see cref="VaultEnvelope"/>)
/// under the current epoch and bound to its <see cref="VaultAddress"/> and version. Who may do what is decided by the
/// caller (capabilities, approvals); this class checks shapes, sizes and cryptography.
/// </summary>
public sealed class VaultService(KeywardDatabase database, IKeyEncryptionKeyProvider keys, VaultOptions options, TimeProvider time)
{
    /// <summary>How many times a put starts again when a concurrent put took its version number or the epoch moved.</summary>
    private const int PutAttempts = 5;

    /// <summary>The most entries one list returns.</summary>
    public const int MaxList = 1000;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Stores <paramref name="value"/> as the next version of <paramref name="address"/> and returns its number (from 1).</summary>
    public async Task<VaultOutcome<int>> PutAsync(VaultAddress address, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!VaultPath.IsValid(address.Path))
        {
            return VaultFailure.PathInvalid;
        }

        if (value.Length > options.MaxValueBytes)
        {
            return VaultFailure.ValueTooLarge;
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var epoch = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.State == VaultEpochStates.Current, cancellationToken).ConfigureAwait(false);
            if (epoch is null)
            {
                return VaultFailure.NoEpoch;
            }

            // Hold the current epoch's row until this version commits (a write that changes nothing), so an advance
            // or retire waits for it: no data key is ever committed under an epoch that stopped being current, and
            // a retire always sees it. When the epoch moved meanwhile, start again under the new one.
            var stillCurrent = await db.VaultEpochs.Where(e => e.Epoch == epoch.Epoch && e.State == VaultEpochStates.Current)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, e => e.State), cancellationToken).ConfigureAwait(false);
            if (stillCurrent != 1)
            {
                if (attempt >= PutAttempts)
                {
                    throw new InvalidOperationException($"The vault's current epoch changed {PutAttempts} times during one put.");
                }

                continue;
            }

            var keyId = keys.KeyId(epoch.Epoch);
            if (keyId is null)
            {
                return VaultFailure.KeyMissing;
            }

            if (!string.Equals(keyId, epoch.KeyId, StringComparison.Ordinal))
            {
                return VaultFailure.KeyMismatch;
            }

            var latest = await Versions(db, address).MaxAsync(s => (int?)s.Version, cancellationToken).ConfigureAwait(false);
            var version = (latest ?? 0) + 1;
            var sealedSecret = await VaultEnvelope.SealAsync(keys, address, version, epoch.Epoch, value, cancellationToken).ConfigureAwait(false);
            db.VaultSecrets.Add(new VaultSecretEntity
            {
                TenantId = address.TenantId,
                DataClass = address.DataClass.Name,
                OperatorId = address.OperatorId,
                ActorId = address.ActorId,
                Path = address.Path,
                Version = version,
                Epoch = sealedSecret.Epoch,
                WrappedKey = sealedSecret.DataKey.Ciphertext,
                KeyNonce = sealedSecret.DataKey.Nonce,
                ValueNonce = sealedSecret.Nonce,
                Ciphertext = sealedSecret.Ciphertext,
                CreatedAt = Now,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

                // The bound on stored versions (review 12, finding 6): the oldest beyond the last MaxVersionsPerPath go
                // with this write, in its transaction. The newest row stays, so numbering never goes back.
                var oldest = version - options.MaxVersionsPerPath;
                if (oldest >= 1)
                {
                    await Versions(db, address).Where(s => s.Version <= oldest).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return VaultOutcome<int>.Ok(version);
            }
            catch (DbUpdateException) when (attempt < PutAttempts)
            {
                // A concurrent put took this version (the unique index); seal again for the next one.
            }
        }
    }

    /// <summary>
    /// Decrypts the latest version of <paramref name="address"/>, or <paramref name="version"/>. Dispose the secret.
    /// A stored secret that does not authenticate for exactly this address and version is
    /// <see cref="VaultFailure.DecryptFailed"/> (or <see cref="VaultFailure.KeyMismatch"/> when the configured KEK is
    /// not the epoch's).
    /// </summary>
    public async Task<VaultOutcome<VaultSecret>> GetAsync(VaultAddress address, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!VaultPath.IsValid(address.Path))
        {
            return VaultFailure.PathInvalid;
        }

        await using var db = database.CreateContext();
        var rows = Versions(db, address).AsNoTracking().Where(s => s.DeletedAt == null);
        var row = version is { } wanted
            ? await rows.SingleOrDefaultAsync(s => s.Version == wanted, cancellationToken).ConfigureAwait(false)
            : await rows.OrderByDescending(s => s.Version).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return VaultFailure.NotFound;
        }

        if (keys.KeyId(row.Epoch) is null)
        {
            return VaultFailure.KeyMissing;
        }

        var secret = await VaultEnvelope.OpenAsync(keys, address, row.Version, Sealed(row), cancellationToken).ConfigureAwait(false);
        if (secret is not null)
        {
            return VaultOutcome<VaultSecret>.Ok(secret);
        }

        var epochKeyId = await db.VaultEpochs.Where(e => e.Epoch == row.Epoch).Select(e => e.KeyId).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return epochKeyId is not null && !string.Equals(epochKeyId, keys.KeyId(row.Epoch), StringComparison.Ordinal)
            ? VaultFailure.KeyMismatch
            : VaultFailure.DecryptFailed;
    }

    /// <summary>
    /// The live secrets of one owner and data class under <paramref name="prefix"/>, by path, at most
    /// <paramref name="limit"/> (up to <see cref="MaxList"/>). Reads no value and decrypts nothing. Segment by segment
    /// and case-sensitive, as a scope's prefix covers paths: <c>db/prod</c> lists <c>db/prod</c> and the paths below it,
    /// never <c>db/production</c> nor <c>DB/PROD/x</c>; <c>db/prod/</c> lists only the paths below it; empty lists all.
    /// </summary>
    public async Task<VaultOutcome<IReadOnlyList<VaultListEntry>>> ListAsync(
        string tenantId, VaultDataClass dataClass, Guid operatorId, Guid actorId, string prefix, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataClass);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (!VaultPath.IsValidPrefix(prefix))
        {
            return VaultFailure.PathInvalid;
        }

        await using var db = database.CreateContext();
        var owned = db.VaultSecrets.AsNoTracking().InTenant(tenantId)
            .Where(s => s.DataClass == dataClass.Name && s.OperatorId == operatorId && s.ActorId == actorId && s.DeletedAt == null);

        // Compared with '=' on a substring, never LIKE: SQLite's LIKE ignores ASCII case, and '_' is a wildcard there.
        var below = prefix.EndsWith('/') ? prefix : prefix + "/";
        var length = below.Length;
        owned = prefix.Length == 0 ? owned
            : prefix.EndsWith('/') ? owned.Where(s => s.Path.Length > length && s.Path.Substring(0, length) == below)
            : owned.Where(s => s.Path == prefix || (s.Path.Length > length && s.Path.Substring(0, length) == below));
        var rows = await owned
            .GroupBy(s => s.Path)
            .Select(g => new { Path = g.Key, Version = g.Max(s => s.Version), UpdatedAt = g.Max(s => s.CreatedAt) })
            .OrderBy(g => g.Path)
            .Take(Math.Min(limit, MaxList))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return VaultOutcome<IReadOnlyList<VaultListEntry>>.Ok(
            [.. rows.Select(r => new VaultListEntry(r.Path, r.Version, DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt)))]);
    }

    /// <summary>Soft-deletes every version of <paramref name="address"/>; <see cref="VaultFailure.NotFound"/> when there was none live.</summary>
    public async Task<VaultOutcome<int>> DeleteAsync(VaultAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!VaultPath.IsValid(address.Path))
        {
            return VaultFailure.PathInvalid;
        }

        var now = Now;
        await using var db = database.CreateContext();
        var deleted = await Versions(db, address).Where(s => s.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, now), cancellationToken).ConfigureAwait(false);
        return deleted == 0 ? VaultFailure.NotFound : VaultOutcome<int>.Ok(deleted);
    }

    /// <summary>The stored form of a row.</summary>
    internal static SealedSecret Sealed(VaultSecretEntity row) =>
        new(row.Epoch, new WrappedDataKey(row.KeyNonce, row.WrappedKey), row.ValueNonce, row.Ciphertext);

    private static IQueryable<VaultSecretEntity> Versions(KeywardDbContext db, VaultAddress address) =>
        db.VaultSecrets.InTenant(address.TenantId).Where(s =>
            s.DataClass == address.DataClass.Name && s.OperatorId == address.OperatorId && s.ActorId == address.ActorId && s.Path == address.Path);
}
