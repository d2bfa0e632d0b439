using System.Globalization;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;

namespace Keyward.Cli.Approvals;

/// <summary>
/// <c>keyward admin recover-quorum</c>: break-glass for a stranded approval policy, run on the server itself (it opens
/// the database directly, like <c>keyward admin recover</c>). Records <c>approval.quorum_recovered</c> first, then
/// restores the quorum (<see cref="ApprovalPolicyService.RecoverAsync"/>); a refusal is recorded too.
/// </summary>
internal static class QuorumRecovery
{
    /// <summary>The audit action of a recovery (and of a refused one, with outcome failure).</summary>
    public const string Recovered = "approval.quorum_recovered";

    /// <summary>Recovers <paramref name="policyName"/>'s <paramref name="group"/>; the exit code.</summary>
    public static async Task<int> RunAsync(
        KeywardDatabase database, string policyName, string group, int? threshold, string? addApprover, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var policies = new ApprovalPolicyService(database, time);
        var policy = (await policies.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Name == policyName);
        if (policy is null)
        {
            await error.WriteLineAsync($"No approval policy named \"{policyName}\".").ConfigureAwait(false);
            return 2;
        }

        Guid? joining = null;
        if (addApprover is not null)
        {
            if (await new AccountService(database, time).FindAccountByTypedNameAsync(addApprover, cancellationToken).ConfigureAwait(false) is not { } account)
            {
                await error.WriteLineAsync($"No account named \"{addApprover}\".").ConfigureAwait(false);
                return 2;
            }

            joining = account.Id;
        }

        var details = new Dictionary<string, string>
        {
            ["policy_id"] = policy.Id.ToString(),
            ["group"] = group,
            ["threshold"] = threshold?.ToString(CultureInfo.InvariantCulture) ?? "unchanged",
            ["add_approver"] = joining?.ToString() ?? "none",
            ["via"] = "keyward admin recover-quorum",
            ["user"] = Environment.UserName,
        };
        await using var audit = new AuditLog(database, time, new AuditOptions());
        var failure = await policies.RecoverAsync(policy.Id, group, threshold, joining, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            details["code"] = failure.Code;
        }

        await audit.RecordAsync(new AuditRecord
        {
            Actor = "system",
            Action = Recovered,
            Target = policy.Name,
            Outcome = failure is null ? AuditOutcomes.Success : AuditOutcomes.Failure,
            Details = details,
        }, CancellationToken.None).ConfigureAwait(false);
        if (failure is not null)
        {
            await error.WriteLineAsync($"Not recovered: {failure.Message} ({failure.Code}).").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync($"The approval policy {policy.Name} has a quorum again; its pending requests were withdrawn. This was recorded in the audit log.").ConfigureAwait(false);
        return 0;
    }
}
