using System.Globalization;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// Applies the approved changes to a policy's approvers and thresholds. The target is the policy id; the parameters are
/// <c>group</c> and, by kind, <c>account</c> (an account id) or <c>threshold</c>. Every change passes the
/// anti-stranding rules against the state under the policy's row lock, at proposal and again when applied.
/// </summary>
internal sealed class PolicyChangeApplier(OperationKind kind) : IApprovalApplier
{
    /// <summary>The built-in appliers.</summary>
    public static IReadOnlyList<IApprovalApplier> All { get; } =
        [new PolicyChangeApplier(OperationKind.AddApprover), new PolicyChangeApplier(OperationKind.RemoveApprover), new PolicyChangeApplier(OperationKind.ChangeThreshold), new PolicySettingsApplier()];

    public OperationKind Kind { get; } = kind;

    public async Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        var policy = Guid.TryParse(context.Operation.Target, out var id)
            ? await ApprovalPolicyService.LoadAsync(context.Database, id, cancellationToken).ConfigureAwait(false)
            : null;
        return policy is null ? new QuorumFailure(QuorumError.PolicyUnknown) : await CheckOrApplyAsync(context, policy, apply: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken)
    {
        var policy = Guid.TryParse(context.Operation.Target, out var id)
            ? await ApprovalPolicyService.LockAsync(context.Database, id, cancellationToken).ConfigureAwait(false)
            : null;
        if (policy is null)
        {
            return new QuorumFailure(QuorumError.PolicyUnknown);
        }

        return policy.Stranded ? new QuorumFailure(QuorumError.PolicyStranded) : await CheckOrApplyAsync(context, policy, apply: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QuorumFailure?> CheckOrApplyAsync(ApprovalContext context, ApprovalPolicy policy, bool apply, CancellationToken cancellationToken)
    {
        var parameters = context.Operation.Parameters;
        var group = parameters.TryGetValue("group", out var name) ? policy.Groups.FirstOrDefault(g => g.Name == name) : null;
        if (group is null)
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the parameter group must name a group of the policy");
        }

        var db = context.Database;
        switch (Kind)
        {
            case OperationKind.ChangeThreshold:
                if (!parameters.TryGetValue("threshold", out var text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold))
                {
                    return new QuorumFailure(QuorumError.OperationInvalid, "the parameter threshold must be a whole number");
                }

                if (PolicyRules.CheckThreshold(threshold, group.ActiveCount) is { } badThreshold)
                {
                    return badThreshold;
                }

                if (apply)
                {
                    await db.ApprovalGroups.Where(g => g.Id == group.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(g => g.Threshold, threshold), cancellationToken).ConfigureAwait(false);
                }

                return null;

            case OperationKind.RemoveApprover:
                if (Account(parameters) is not { } leaving || !group.Approvers.Any(a => a.AccountId == leaving))
                {
                    return new QuorumFailure(QuorumError.OperationInvalid, "the parameter account must name an approver of the group");
                }

                if (PolicyRules.CheckVoluntaryLoss(group, leaving) is { } strands)
                {
                    return strands;
                }

                if (apply)
                {
                    await db.ApprovalMembers.Where(m => m.GroupId == group.Id && m.AccountId == leaving).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }

                return null;

            default:
                if (Account(parameters) is not { } joining || policy.Groups.Any(g => g.Approvers.Any(a => a.AccountId == joining)))
                {
                    return new QuorumFailure(QuorumError.OperationInvalid, "the parameter account must name an account that is not yet an approver of the policy");
                }

                var tenant = TenantScope.Of(null);
                if (!await db.Accounts.AnyAsync(a => a.Id == joining && a.TenantId == tenant && a.DisabledAt == null, cancellationToken).ConfigureAwait(false))
                {
                    return new QuorumFailure(QuorumError.OperationInvalid, "the account must exist and be enabled");
                }

                if (apply)
                {
                    db.ApprovalMembers.Add(new ApprovalMemberEntity
                    {
                        Id = Guid.NewGuid(),
                        TenantId = tenant,
                        PolicyId = policy.Id,
                        GroupId = group.Id,
                        AccountId = joining,
                        CreatedAt = context.Now,
                    });
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }

                return null;
        }
    }

    private static Guid? Account(IReadOnlyDictionary<string, string> parameters) =>
        parameters.TryGetValue("account", out var text) && Guid.TryParse(text, out var id) ? id : null;
}
