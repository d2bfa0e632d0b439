using System.Globalization;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Applies <c>advance_key_epoch</c>: the target is the new epoch's number, which must be exactly the current epoch + 1
/// and have a KEK configured that no earlier epoch used. The advance itself is
/// <see cref="VaultEpochs.AdvanceAsync(KeywardDbContext, int, CancellationToken)"/> on the completing vote's own
/// transaction, so the epoch moves exactly when the request is applied: the old current epoch is demoted by a
/// conditional UPDATE and the new one inserted under its primary key, both rolled back together with the completion if
/// either fails. Without a key provider (no vault configured) the kind cannot be proposed.
/// </summary>
public sealed class KeyEpochApplier(IKeyEncryptionKeyProvider? keys, KeywardDatabase database, TimeProvider time) : IApprovalApplier
{
    /// <inheritdoc/>
    public OperationKind Kind => OperationKind.AdvanceKeyEpoch;

    /// <inheritdoc/>
    public async Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (failure, _, _) = await CheckCoreAsync(context, cancellationToken).ConfigureAwait(false);
        return failure;
    }

    /// <inheritdoc/>
    public async Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (failure, current, _) = await CheckCoreAsync(context, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var advanced = await new VaultEpochs(database, keys!, time).AdvanceAsync(context.Database, current + 1, cancellationToken).ConfigureAwait(false);
        return advanced.Failure is { } refused
            ? new QuorumFailure(QuorumError.OperationInvalid, $"the epoch could not advance: {VaultFailures.Message(refused)}")
            : null;
    }

    private async Task<(QuorumFailure? Failure, int Current, string? KeyId)> CheckCoreAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        if (keys is null)
        {
            return (new QuorumFailure(QuorumError.OperationNotSupported, "the vault has no keys configured"), 0, null);
        }

        var operation = context.Operation;
        if (operation.Parameters.Count != 0 || !int.TryParse(operation.Target, NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            || to.ToString(CultureInfo.InvariantCulture) != operation.Target)
        {
            return (new QuorumFailure(QuorumError.OperationInvalid, "the target must be the new epoch's number, with no parameters"), 0, null);
        }

        var db = context.Database;
        var current = await db.VaultEpochs.AsNoTracking().Where(e => e.State == VaultEpochStates.Current)
            .Select(e => (int?)e.Epoch).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (current is not { } epoch || to != epoch + 1)
        {
            return (new QuorumFailure(QuorumError.OperationInvalid, "the target must be the epoch after the current one"), 0, null);
        }

        if (keys.KeyId(to) is not { } keyId)
        {
            return (new QuorumFailure(QuorumError.OperationInvalid, $"no key is configured for epoch {to} (Keyward:Vault:Keys:{to})"), 0, null);
        }

        if (await db.VaultEpochs.AnyAsync(e => e.KeyId == keyId && e.Epoch < to, cancellationToken).ConfigureAwait(false))
        {
            return (new QuorumFailure(QuorumError.OperationInvalid, "the key configured for the new epoch was used by an earlier one"), 0, null);
        }

        return (null, epoch, keyId);
    }
}
