using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Applies <c>change_approval_policy</c>: the target is the policy id; the parameters are one or both of
/// <c>allow_synced_passkeys</c> (<c>true</c> or <c>false</c>) and <c>add_kinds</c> (comma-separated wire names of kinds no
/// policy governs yet). Kinds are never removed: a kind left without a policy could then be given a new one by an admin
/// alone, bypassing this quorum. Checked at proposal and again under the policy's row lock when applied.
/// </summary>
internal sealed class PolicySettingsApplier : IApprovalApplier
{
    public OperationKind Kind => OperationKind.ChangeApprovalPolicy;

    public Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken) => RunAsync(context, apply: false, cancellationToken);

    public Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken) => RunAsync(context, apply: true, cancellationToken);

    private static async Task<QuorumFailure?> RunAsync(ApprovalContext context, bool apply, CancellationToken cancellationToken)
    {
        var db = context.Database;
        var policy = !Guid.TryParse(context.Operation.Target, out var id) ? null
            : apply ? await ApprovalPolicyService.LockAsync(db, id, cancellationToken).ConfigureAwait(false)
            : await ApprovalPolicyService.LoadAsync(db, id, cancellationToken).ConfigureAwait(false);
        if (policy is null)
        {
            return new QuorumFailure(QuorumError.PolicyUnknown);
        }

        if (policy.Stranded)
        {
            return new QuorumFailure(QuorumError.PolicyStranded, policy.Name);
        }

        var parameters = context.Operation.Parameters;
        if (parameters.Count == 0 || parameters.Keys.Any(k => k is not ("allow_synced_passkeys" or "add_kinds")))
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the parameters are allow_synced_passkeys and/or add_kinds");
        }

        bool? allowSynced = null;
        if (parameters.TryGetValue("allow_synced_passkeys", out var synced))
        {
            allowSynced = synced switch { "true" => true, "false" => false, _ => null };
            if (allowSynced is null)
            {
                return new QuorumFailure(QuorumError.OperationInvalid, "allow_synced_passkeys must be true or false");
            }
        }

        var adding = new List<OperationKind>();
        if (parameters.TryGetValue("add_kinds", out var names))
        {
            foreach (var name in names.Split(','))
            {
                if (!OperationKinds.TryParse(name, out var kind) || adding.Contains(kind))
                {
                    return new QuorumFailure(QuorumError.OperationInvalid, "add_kinds must list distinct, known operation kinds");
                }

                adding.Add(kind);
            }

            var tenant = TenantScope.Of(null);
            var wanted = adding.Select(k => (int)k).ToList();
            if (await db.ApprovalPolicyKinds.InTenant(tenant).AnyAsync(k => wanted.Contains(k.Kind), cancellationToken).ConfigureAwait(false))
            {
                return new QuorumFailure(QuorumError.PolicyInvalid, "one of the kinds already has a policy");
            }
        }

        if (!apply)
        {
            return null;
        }

        if (allowSynced is { } allow)
        {
            await db.ApprovalPolicies.Where(p => p.Id == policy.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.AllowSyncedPasskeys, allow), cancellationToken).ConfigureAwait(false);
        }

        if (adding.Count > 0)
        {
            var tenant = TenantScope.Of(null);
            db.ApprovalPolicyKinds.AddRange(adding.Select(k => new ApprovalPolicyKindEntity { Id = Guid.NewGuid(), TenantId = tenant, PolicyId = policy.Id, Kind = (int)k }));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return null;
    }
}
