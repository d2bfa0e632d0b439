using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Capabilities;

/// <summary>
/// Applies an approved <c>widen_scope</c> (<see cref="ScopeOperations.Widen"/>): the scope's new contents must include
/// everything it allows now and more, the scope must be live and granted on the same operator's authority, and its
/// actor still active; checked at proposal and again, under the completing transaction, when applied.
/// </summary>
public sealed class WidenScopeApplier : IApprovalApplier
{
    /// <inheritdoc />
    public OperationKind Kind => OperationKind.WidenScope;

    /// <inheritdoc />
    public async Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await ReadAsync(context, cancellationToken).ConfigureAwait(false)).Failure;
    }

    /// <inheritdoc />
    public async Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (widen, failure) = await ReadAsync(context, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var (scopeId, contents) = widen!.Value;
        var operations = ScopeRules.Join(contents.Operations);
        var classes = ScopeRules.Join(contents.DataClasses);
        var prefixes = ScopeRules.Join(contents.Prefixes);
        var changed = await context.Database.CapabilityScopes.Where(s => s.Id == scopeId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Operations, operations).SetProperty(r => r.DataClasses, classes)
                .SetProperty(r => r.Prefixes, prefixes).SetProperty(r => r.RequestId, context.RequestId), cancellationToken).ConfigureAwait(false);
        return changed == 1 ? null : new QuorumFailure(QuorumError.OperationInvalid, "the scope was revoked meanwhile");
    }

    private static async Task<((Guid, ScopeContents)? Widen, QuorumFailure? Failure)> ReadAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        var operation = context.Operation;
        var tenant = TenantScope.Of(context.OperatorAccountId);
        var row = Guid.TryParse(operation.Target, out var scopeId)
            ? await context.Database.CapabilityScopes.AsNoTracking().InTenant(tenant).FirstOrDefaultAsync(s => s.Id == scopeId, cancellationToken).ConfigureAwait(false)
            : null;
        if (row is null || row.RevokedAt is not null || row.OperatorId != context.OperatorAccountId)
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, "the target must be a live scope granted on this operator's authority"));
        }

        var (contents, problem) = ScopeOperations.ContentsOf(operation);
        if (contents is null)
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, problem));
        }

        var current = new ScopeContents(ScopeRules.Split(row.Operations), ScopeRules.Split(row.DataClasses), ScopeRules.Split(row.Prefixes));
        if (!contents.Includes(current) || current.Includes(contents))
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, "a widening keeps everything the scope allows and adds to it (narrowing is a revocation)"));
        }

        if (!await GrantScopeApplier.ActorIsActiveAsync(context.Database, tenant, row.ActorId, (CapabilityActorKind)row.ActorKind, cancellationToken).ConfigureAwait(false))
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, "the actor must exist and be active (not revoked or deleted)"));
        }

        return ((scopeId, contents), null);
    }
}
