using Keyward.Core.Accounts;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Applies <c>add_admin_key</c> and <c>remove_admin_key</c> (docs/approvals.md, "Admin keys").
/// <c>add_admin_key</c>: the target is the admin account's id, no parameters; applying writes nothing more, because the
/// applied request is itself a one-time grant that the account's next key registration spends (<see cref="AdminKeys"/>).
/// <c>remove_admin_key</c>: the target is the key's id, the parameter <c>account</c> its admin account's id; applying
/// deletes the key and its votes on pending requests, on the completing vote's transaction. The account's last key, and
/// the last key an active approver can approve with, are refused (the voluntary anti-stranding rule): a lost or stolen
/// key goes through the forced path instead.
/// </summary>
public abstract class AdminKeyApplier : IApprovalApplier
{
    private protected AdminKeyApplier()
    {
    }

    /// <inheritdoc/>
    public abstract OperationKind Kind { get; }

    /// <inheritdoc/>
    public Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken) => CheckOrApplyAsync(context, apply: false, cancellationToken);

    /// <inheritdoc/>
    public Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken) => CheckOrApplyAsync(context, apply: true, cancellationToken);

    private async Task<QuorumFailure?> CheckOrApplyAsync(ApprovalContext context, bool apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var operation = context.Operation;
        var db = context.Database;
        if (Kind == OperationKind.AddAdminKey)
        {
            if (operation.Parameters.Count != 0 || CanonicalId(operation.Target) is not { } adding)
            {
                return new QuorumFailure(QuorumError.OperationInvalid, "the target must be the admin account's id (lower-case hyphenated), with no parameters");
            }

            return await IsEnabledAdminAsync(db, adding, cancellationToken).ConfigureAwait(false)
                ? null
                : new QuorumFailure(QuorumError.OperationInvalid, "the target must name an enabled admin account");
        }

        if (operation.Parameters.Count != 1 || CanonicalId(operation.Target) is not { } keyId
            || !operation.Parameters.TryGetValue("account", out var text) || CanonicalId(text) is not { } accountId)
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the target must be the key's id and the parameter account its account's id (both lower-case hyphenated)");
        }

        if (!await IsEnabledAdminAsync(db, accountId, cancellationToken).ConfigureAwait(false))
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the parameter account must name an enabled admin account");
        }

        var keys = await db.Authenticators.AsNoTracking().Where(a => a.AccountId == accountId).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (keys.All(k => k.Id != keyId))
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the target must name a key of that account");
        }

        if (keys.Count == 1)
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the account's last key cannot be removed");
        }

        if (await AdminKeys.LosesLastEligibleKeyAsync(db, accountId, keyId, activeOnly: true, cancellationToken).ConfigureAwait(false) is [var policy, ..])
        {
            return AdminKeys.WouldStrand(policy);
        }

        if (apply)
        {
            await db.Authenticators.Where(a => a.Id == keyId && a.AccountId == accountId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await AdminKeys.ForgetPendingVotesAsync(db, keyId, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static async Task<bool> IsEnabledAdminAsync(KeywardDbContext db, Guid accountId, CancellationToken cancellationToken)
    {
        var tenant = TenantScope.Of(null);
        return await db.Accounts.AnyAsync(a => a.Id == accountId && a.TenantId == tenant && a.Role == Roles.Admin && a.DisabledAt == null, cancellationToken).ConfigureAwait(false);
    }

    private static Guid? CanonicalId(string text) => Guid.TryParse(text, out var id) && id.ToString() == text ? id : null;
}
