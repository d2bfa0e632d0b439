using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Capabilities;

/// <summary>
/// Applies an approved <c>grant_scope</c> (<see cref="ScopeOperations.Grant"/>): writes the scope, on the operator's
/// authority, inside the completing transaction. At proposal and again when applied: the actor exists and is active,
/// and the operations, classes and prefixes are defined and well formed.
/// </summary>
public sealed class GrantScopeApplier : IApprovalApplier
{
    /// <inheritdoc />
    public OperationKind Kind => OperationKind.GrantScope;

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
        var (grant, failure) = await ReadAsync(context, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var (actorId, kind, contents) = grant!.Value;
        context.Database.CapabilityScopes.Add(new CapabilityScopeEntity
        {
            Id = Guid.NewGuid(),
            TenantId = TenantScope.Of(context.OperatorAccountId),
            OperatorId = context.OperatorAccountId,
            ActorId = actorId,
            ActorKind = (int)kind,
            Operations = ScopeRules.Join(contents.Operations),
            DataClasses = ScopeRules.Join(contents.DataClasses),
            Prefixes = ScopeRules.Join(contents.Prefixes),
            RequestId = context.RequestId,
            GrantedAt = context.Now,
        });
        await context.Database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static async Task<((Guid, CapabilityActorKind, ScopeContents)? Grant, QuorumFailure? Failure)> ReadAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        var operation = context.Operation;
        if (!Guid.TryParse(operation.Target, out var actorId) || ScopeRules.ParseKind(operation.Parameters.GetValueOrDefault("actor_kind")) is not { } kind)
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, "the target must be an actor id and actor_kind \"agent\" or \"service\""));
        }

        var (contents, problem) = ScopeOperations.ContentsOf(operation);
        if (contents is null)
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, problem));
        }

        if (!await ActorIsActiveAsync(context.Database, TenantScope.Of(context.OperatorAccountId), actorId, kind, cancellationToken).ConfigureAwait(false))
        {
            return (null, new QuorumFailure(QuorumError.OperationInvalid, "the actor must exist and be active (not revoked or deleted)"));
        }

        return ((actorId, kind, contents), null);
    }

    /// <summary>True when the actor exists in the tenant and its key works.</summary>
    internal static Task<bool> ActorIsActiveAsync(KeywardDbContext db, string tenant, Guid actorId, CapabilityActorKind kind, CancellationToken cancellationToken) =>
        kind == CapabilityActorKind.Service
            ? db.ServiceIdentities.InTenant(tenant).AnyAsync(s => s.Id == actorId && s.RevokedAt == null, cancellationToken)
            : db.Machines.InTenant(tenant).AnyAsync(m => m.Id == actorId && m.DeletedAt == null && m.KeyRevokedAt == null, cancellationToken);
}
