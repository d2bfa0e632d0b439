using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Vault;

/// <summary>
/// The vault's key epochs, forward only (docs/vault.md, "Epochs"): epoch 1 is created once; advancing creates N+1
/// for new writes and keeps N readable; nothing ever makes an older epoch current again; an epoch is retired only when
/// no data key is wrapped under it. Each change is one database transaction whose conditions are checked by the
/// database (the epoch's primary key, <c>UPDATE … WHERE state = 'current'</c>), so two nodes advancing at once make
/// exactly one N+1. Advancing is a sensitive operation: the caller applies it only after its approval quorum.
/// </summary>
public sealed class VaultEpochs(KeywardDatabase database, IKeyEncryptionKeyProvider keys, TimeProvider time)
{
    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Creates epoch 1 when there is no epoch yet (idempotent, safe on several nodes at once) and returns the current
    /// epoch. Refused with <see cref="VaultFailure.KeyMissing"/> when epoch 1 needs creating and has no KEK.
    /// </summary>
    public async Task<VaultOutcome<VaultEpoch>> InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using (var db = database.CreateContext())
        {
            if (!await db.VaultEpochs.AnyAsync(cancellationToken).ConfigureAwait(false))
            {
                if (keys.KeyId(1) is not { } keyId)
                {
                    return VaultFailure.KeyMissing;
                }

                db.VaultEpochs.Add(new VaultEpochEntity { Epoch = 1, State = VaultEpochStates.Current, KeyId = keyId, CreatedAt = Now });
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException)
                {
                    // Another node created it first.
                }
            }
        }

        return await CurrentAsync(cancellationToken).ConfigureAwait(false) is { } current ? VaultOutcome<VaultEpoch>.Ok(current) : VaultFailure.NoEpoch;
    }

    /// <summary>The current epoch, or null before <see cref="InitializeAsync"/>.</summary>
    public async Task<VaultEpoch?> CurrentAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var row = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.State == VaultEpochStates.Current, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Info(row, await db.VaultSecrets.LongCountAsync(s => s.Epoch == row.Epoch, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Every epoch, oldest first, with how many data keys each wraps.</summary>
    public async Task<IReadOnlyList<VaultEpoch>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var rows = await db.VaultEpochs.AsNoTracking().OrderBy(e => e.Epoch).ToListAsync(cancellationToken).ConfigureAwait(false);
        var counts = await db.VaultSecrets.GroupBy(s => s.Epoch).Select(g => new { Epoch = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Epoch, g => g.Count, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => Info(r, counts.GetValueOrDefault(r.Epoch)))];
    }

    /// <summary>
    /// Makes <paramref name="to"/> the current epoch. It must be exactly the epoch after the current one (so an
    /// approved "advance to N+1" applies once) and have a KEK configured that no earlier epoch used; the old current
    /// epoch stays readable.
    /// </summary>
    public async Task<VaultOutcome<VaultEpoch>> AdvanceAsync(int to, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var advanced = await AdvanceAsync(db, to, cancellationToken).ConfigureAwait(false);
        if (advanced.Succeeded)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return advanced;
    }

    /// <summary>
    /// As <see cref="AdvanceAsync(int, CancellationToken)"/>, inside the transaction the caller holds open on
    /// <paramref name="db"/> (an approval applier's, so the advance commits with the approval's completion or not at
    /// all). The caller commits; on a failure it must roll back (a lost race may have left the context unusable).
    /// </summary>
    public async Task<VaultOutcome<VaultEpoch>> AdvanceAsync(KeywardDbContext db, int to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = Now;
        var current = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.State == VaultEpochStates.Current, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return VaultFailure.NoEpoch;
        }

        if (to != current.Epoch + 1)
        {
            return VaultFailure.EpochNotNext;
        }

        if (keys.KeyId(to) is not { } keyId)
        {
            return VaultFailure.KeyMissing;
        }

        // Earlier epochs only: a concurrent advance that already made this epoch is answered as not-next below.
        if (await db.VaultEpochs.AnyAsync(e => e.KeyId == keyId && e.Epoch < to, cancellationToken).ConfigureAwait(false))
        {
            return VaultFailure.KeyReused;
        }

        // The database decides a race: only one transaction turns the old epoch from current to readable, and the new
        // epoch's number is its primary key.
        var demoted = await db.VaultEpochs.Where(e => e.Epoch == current.Epoch && e.State == VaultEpochStates.Current)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, VaultEpochStates.Readable), cancellationToken).ConfigureAwait(false);
        if (demoted != 1)
        {
            return VaultFailure.EpochNotNext;
        }

        var next = new VaultEpochEntity { Epoch = to, State = VaultEpochStates.Current, KeyId = keyId, CreatedAt = now };
        db.VaultEpochs.Add(next);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return VaultFailure.EpochNotNext;
        }

        return VaultOutcome<VaultEpoch>.Ok(Info(next, 0));
    }

    /// <summary>
    /// Retires a readable epoch: refused for the current epoch, and while any data key (of a live or deleted secret)
    /// is still wrapped under it. Retiring a retired epoch succeeds and changes nothing.
    /// </summary>
    public async Task<VaultOutcome<VaultEpoch>> RetireAsync(int epoch, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        var row = await db.VaultEpochs.AsNoTracking().SingleOrDefaultAsync(e => e.Epoch == epoch, cancellationToken).ConfigureAwait(false);
        switch (row?.State)
        {
            case null:
                return VaultFailure.EpochUnknown;
            case VaultEpochStates.Current:
                return VaultFailure.EpochCurrent;
            case VaultEpochStates.Retired:
                return VaultOutcome<VaultEpoch>.Ok(Info(row, 0));
        }

        // One statement: the check that nothing is wrapped under it and the change happen together.
        var retired = await db.VaultEpochs
            .Where(e => e.Epoch == epoch && e.State == VaultEpochStates.Readable && !db.VaultSecrets.Any(s => s.Epoch == epoch))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, VaultEpochStates.Retired).SetProperty(e => e.RetiredAt, now), cancellationToken)
            .ConfigureAwait(false);
        if (retired != 1)
        {
            return VaultFailure.EpochInUse;
        }

        row.State = VaultEpochStates.Retired;
        row.RetiredAt = now;
        return VaultOutcome<VaultEpoch>.Ok(Info(row, 0));
    }

    /// <summary>
    /// What is wrong between the configured KEKs and the recorded epochs, each naming the setting and the fix (empty
    /// when nothing is): every epoch that is not retired needs its KEK, and it must be the key the epoch was created
    /// with. For a start-up or configuration check; compares key ids only.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckKeysAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        foreach (var epoch in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (epoch.State == VaultEpochStates.Retired)
            {
                continue;
            }

            var setting = $"{VaultOptions.Section}:Keys:{epoch.Number}";
            var configured = keys.KeyId(epoch.Number);
            if (configured is null)
            {
                problems.Add($"{setting} is not set, but epoch {epoch.Number} is {epoch.State} and wraps {epoch.DataKeys} data keys. Configure its key file or variable again (key id {epoch.KeyId}).");
            }
            else if (!string.Equals(configured, epoch.KeyId, StringComparison.Ordinal))
            {
                problems.Add($"{setting} holds another key ({configured}) than epoch {epoch.Number} was created with ({epoch.KeyId}). Restore the original key; a new key needs a new epoch.");
            }
        }

        return problems;
    }

    private static VaultEpoch Info(VaultEpochEntity row, long dataKeys) => new(
        row.Epoch,
        row.State,
        row.KeyId,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        row.RetiredAt is { } retired ? DateTimeOffset.FromUnixTimeMilliseconds(retired) : null,
        dataKeys);
}
