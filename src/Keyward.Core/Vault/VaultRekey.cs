using System.Security.Cryptography;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Vault;

/// <summary>
/// Re-wraps data keys of older epochs under the current one (docs/vault.md, "Rekey"), in batches of
/// <see cref="VaultOptions.RekeyBatchSize"/> rows by row id, one transaction per batch. Values are not re-encrypted:
/// the data key is unwrapped, wrapped again, and written with <c>UPDATE … WHERE id = … AND epoch = old</c>, so a run
/// interrupted anywhere, or two runs at once, move each data key exactly once. Rows already moved drop out of the
/// selection, so a new run from cursor 0 resumes; the cursor only lets a run skip rows that failed to unwrap.
/// </summary>
public sealed class VaultRekey(KeywardDatabase database, IKeyEncryptionKeyProvider keys, VaultOptions options)
{
    /// <summary>Re-wraps every data key of an older epoch, reporting after each batch; cancel to stop after any batch.</summary>
    public async Task<VaultOutcome<VaultRekeyProgress>> RunAsync(long after = 0, IProgress<VaultRekeyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int epoch;
        long total;
        await using (var db = database.CreateContext())
        {
            var current = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.State == VaultEpochStates.Current, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return VaultFailure.NoEpoch;
            }

            epoch = current.Epoch;
            total = await db.VaultSecrets.LongCountAsync(s => s.Epoch < epoch && s.Id > after, cancellationToken).ConfigureAwait(false);
        }

        var state = new VaultRekeyProgress(0, 0, 0, total, after, epoch);
        while (!state.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await BatchAsync(state.Cursor, cancellationToken).ConfigureAwait(false);
            if (!batch.Succeeded)
            {
                return batch.Failure!.Value;
            }

            var step = batch.Value!;
            state = new VaultRekeyProgress(state.Rewrapped + step.Rewrapped, state.Skipped + step.Skipped, state.Failed + step.Failed, total, step.Cursor, step.Epoch)
            {
                Done = step.Done,
            };
            progress?.Report(state);
        }

        return VaultOutcome<VaultRekeyProgress>.Ok(state);
    }

    /// <summary>
    /// Re-wraps one batch: the first <see cref="VaultOptions.RekeyBatchSize"/> rows after <paramref name="after"/>
    /// wrapped under an epoch older than the current one. Its counts are this batch's; its total is 0.
    /// </summary>
    public async Task<VaultOutcome<VaultRekeyProgress>> BatchAsync(long after, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var current = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.State == VaultEpochStates.Current, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return VaultFailure.NoEpoch;
        }

        if (!string.Equals(keys.KeyId(current.Epoch), current.KeyId, StringComparison.Ordinal))
        {
            return keys.KeyId(current.Epoch) is null ? VaultFailure.KeyMissing : VaultFailure.KeyMismatch;
        }

        var epoch = current.Epoch;
        var rows = await db.VaultSecrets.AsNoTracking().Where(s => s.Epoch < epoch && s.Id > after)
            .OrderBy(s => s.Id).Take(options.RekeyBatchSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        long rewrapped = 0, skipped = 0, failed = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var moved = await RewrapAsync(row, epoch, cancellationToken).ConfigureAwait(false);
            if (moved is null)
            {
                failed++;
                continue;
            }

            var oldEpoch = row.Epoch;
            var updated = await db.VaultSecrets.Where(s => s.Id == row.Id && s.Epoch == oldEpoch)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Epoch, moved.Epoch).SetProperty(r => r.WrappedKey, moved.DataKey.Ciphertext).SetProperty(r => r.KeyNonce, moved.DataKey.Nonce),
                    cancellationToken).ConfigureAwait(false);
            if (updated == 1)
            {
                rewrapped++;
            }
            else
            {
                skipped++;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var cursor = rows.Count > 0 ? rows[^1].Id : after;
        return VaultOutcome<VaultRekeyProgress>.Ok(new VaultRekeyProgress(rewrapped, skipped, failed, 0, cursor, epoch) { Done = rows.Count < options.RekeyBatchSize });
    }

    private async Task<SealedSecret?> RewrapAsync(VaultSecretEntity row, int epoch, CancellationToken cancellationToken)
    {
        if (VaultDataClass.Find(row.DataClass) is not { } dataClass)
        {
            return null;
        }

        var address = new VaultAddress(row.TenantId, dataClass, row.OperatorId, row.ActorId, row.Path);
        try
        {
            return await VaultEnvelope.RewrapAsync(keys, address, row.Version, VaultService.Sealed(row), epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
