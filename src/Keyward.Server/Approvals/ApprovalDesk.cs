using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Quorum;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Approvals;

/// <summary>
/// The approvals API's decisions, HTTP-free: policies (list; create the first one for its kinds), requests (propose on
/// the caller's authority, list, show in plain words, withdraw, deny) and votes (<see cref="ApprovalDesk"/>.Votes).
/// Every quorum refusal becomes its catalogued problem and an <c>approval.refused</c> record.
/// </summary>
internal sealed partial class ApprovalDesk(
    ApprovalService approvals, ApprovalPolicyService policies, AccountService accounts, KeywardDatabase database, RelyingParty rp, IAuditLog audit, TimeProvider time,
    SessionService sessions)
{
    /// <summary>Every policy, with approver names.</summary>
    public async Task<ApprovalPoliciesResponse> ListPoliciesAsync(CancellationToken cancellationToken)
    {
        var all = await policies.ListAsync(cancellationToken).ConfigureAwait(false);
        var names = await NamesAsync(all.SelectMany(p => p.Groups).SelectMany(g => g.Approvers).Select(a => a.AccountId), cancellationToken).ConfigureAwait(false);
        return new ApprovalPoliciesResponse([.. all.Select(p => ToResponse(p, names))]);
    }

    /// <summary>Creates the first policy for its kinds; approvers are named by account name.</summary>
    public async Task<Outcome<ApprovalPolicyResponse>> CreatePolicyAsync(CreatePolicyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var kinds = new List<OperationKind>();
        foreach (var name in request.Kinds ?? [])
        {
            if (!OperationKinds.TryParse(name, out var kind))
            {
                return Refuse(new QuorumFailure(QuorumError.PolicyInvalid, "unknown operation kind"), null);
            }

            kinds.Add(kind);
        }

        var groups = new List<ApprovalGroupDraft>();
        foreach (var group in request.Groups ?? [])
        {
            var ids = new List<Guid>();
            foreach (var approver in group.Approvers ?? [])
            {
                if (await accounts.FindAccountAsync(approver, cancellationToken).ConfigureAwait(false) is not { } account)
                {
                    return Refuse(new QuorumFailure(QuorumError.PolicyInvalid, "every approver must be an existing account"), null);
                }

                ids.Add(account.Id);
            }

            groups.Add(new ApprovalGroupDraft(group.Name ?? string.Empty, group.Threshold, ids));
        }

        var created = await policies.CreateAsync(new ApprovalPolicyDraft
        {
            Name = request.Name ?? string.Empty,
            Kinds = kinds,
            Groups = groups,
            AllowSyncedPasskeys = request.AllowSyncedPasskeys,
        }, cancellationToken).ConfigureAwait(false);
        if (!created.Succeeded)
        {
            return Refuse(created.Failure, request.Name);
        }

        var policy = created.Value;
        await audit.RecordAllAsync(AuditTrail.For(caller, ApprovalAuditActions.PolicyCreated, AuditOutcomes.Success, policy.Id.ToString(), details: new Dictionary<string, string>
        {
            ["name"] = policy.Name,
            ["kinds"] = string.Join(",", policy.Kinds.Select(OperationKinds.Name)),
            ["groups"] = string.Join(";", policy.Groups.Select(g => $"{g.Name}:{g.Threshold}/{g.Approvers.Count}")),
            ["allow_synced_passkeys"] = policy.AllowSyncedPasskeys ? "true" : "false",
        })).ConfigureAwait(false);
        var names = await NamesAsync(policy.Groups.SelectMany(g => g.Approvers).Select(a => a.AccountId), cancellationToken).ConfigureAwait(false);
        return ToResponse(policy, names);
    }

    /// <summary>Proposes an operation on the caller's authority (the caller is its operator and proposer).</summary>
    public async Task<Outcome<ApprovalRequestResponse>> ProposeAsync(SessionInfo session, ProposeRequest request, Caller caller, CancellationToken cancellationToken)
    {
        if (!OperationKinds.TryParse(request.Kind, out var kind))
        {
            return Refuse(new QuorumFailure(QuorumError.OperationInvalid, "unknown operation kind"), request.Kind);
        }

        var operation = ApprovalOperation.Create(kind, request.Target ?? string.Empty, request.Parameters);
        if (!operation.Succeeded)
        {
            return Refuse(operation.Failure, request.Kind);
        }

        var proposed = await approvals.ProposeAsync(operation.Value, session.AccountId, session.AccountId, cancellationToken).ConfigureAwait(false);
        if (!proposed.Succeeded)
        {
            return Refuse(proposed.Failure, request.Kind);
        }

        var made = proposed.Value;
        await audit.RecordAllAsync(AuditTrail.For(caller, ApprovalAuditActions.Proposed, AuditOutcomes.Success, made.Id.ToString(), details: OperationDetails(made))).ConfigureAwait(false);
        return await ShowAsync(made, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pending requests the caller may still approve (an active approver of its policy who has not voted), and those the caller proposed.</summary>
    public async Task<ApprovalListResponse> ListAsync(SessionInfo session, CancellationToken cancellationToken)
    {
        var pending = await approvals.ListPendingAsync(cancellationToken).ConfigureAwait(false);
        var byPolicy = (await policies.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Id);
        var awaiting = new List<ApprovalRequestResponse>();
        var mine = new List<ApprovalRequestResponse>();
        foreach (var request in pending)
        {
            var shown = await ShowAsync(request, cancellationToken).ConfigureAwait(false);
            if (byPolicy.TryGetValue(request.PolicyId, out var policy) && !policy.Stranded && policy.ActiveGroupOf(session.AccountId) is not null
                && shown.Votes.All(v => v.AccountId != session.AccountId))
            {
                awaiting.Add(shown);
            }

            if (request.ProposedBy == session.AccountId || request.OperatorAccountId == session.AccountId)
            {
                mine.Add(shown);
            }
        }

        return new ApprovalListResponse(awaiting, mine);
    }

    /// <summary>One request: visible to its proposer, its operator, the approvers of its policy, and admins.</summary>
    public async Task<Outcome<ApprovalRequestResponse>> ShowAsync(SessionInfo session, Guid id, CancellationToken cancellationToken)
    {
        var request = await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (request is null || !await MaySeeAsync(session, request, cancellationToken).ConfigureAwait(false))
        {
            return new Refusal(KeywardErrors.ApprovalUnknown, AuditAction: null);
        }

        return await ShowAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws a pending request (its proposer or operator).</summary>
    public async Task<Outcome<ApprovalRequestResponse>> WithdrawAsync(SessionInfo session, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        if (await approvals.WithdrawAsync(id, session.AccountId, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            return Refuse(failure, id.ToString());
        }

        await audit.RecordAllAsync(AuditTrail.For(caller, ApprovalAuditActions.Withdrawn, AuditOutcomes.Success, id.ToString())).ConfigureAwait(false);
        return await ShowAsync(session, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Denies a pending request (an active approver of its policy): it takes no more votes.</summary>
    public async Task<Outcome<ApprovalRequestResponse>> DenyAsync(SessionInfo session, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        if (await approvals.DenyAsync(id, session.AccountId, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            return Refuse(failure, id.ToString());
        }

        await audit.RecordAllAsync(AuditTrail.For(caller, ApprovalAuditActions.Denied, AuditOutcomes.Success, id.ToString())).ConfigureAwait(false);
        return await ShowAsync(session, id, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> MaySeeAsync(SessionInfo session, ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (session.Role == Roles.Admin || request.ProposedBy == session.AccountId || request.OperatorAccountId == session.AccountId)
        {
            return true;
        }

        var policy = await policies.GetAsync(request.PolicyId, cancellationToken).ConfigureAwait(false);
        return policy is not null && policy.Groups.Any(g => g.Approvers.Any(a => a.AccountId == session.AccountId));
    }

    private async Task<ApprovalRequestResponse> ShowAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var operation = request.Operation;
        var votes = await approvals.VotesAsync(request.Id, cancellationToken).ConfigureAwait(false);
        var ids = new List<Guid>();
        if (operation.Parameters.TryGetValue("account", out var account) && Guid.TryParse(account, out var accountId))
        {
            ids.Add(accountId);
        }

        var names = await NamesAsync(ids, cancellationToken).ConfigureAwait(false);
        if (Guid.TryParse(operation.Target, out var policyId) && await policies.GetAsync(policyId, cancellationToken).ConfigureAwait(false) is { } targetPolicy)
        {
            names[operation.Target] = targetPolicy.Name;
        }

        var state = request.State == ApprovalStates.Pending && request.ExpiresAt <= time.GetUtcNow() ? ApprovalStates.Expired : request.State;
        return new ApprovalRequestResponse(
            request.Id,
            OperationKinds.Name(operation.Kind),
            operation.Target,
            operation.Parameters,
            OperationWords.Describe(operation, names),
            Convert.ToHexStringLower(SHA256.HashData(operation.Canonical)),
            Convert.ToHexStringLower(operation.ParametersDigest),
            Base64Url.Encode(request.Challenge),
            state,
            request.PolicyId,
            request.OperatorAccountId,
            request.ProposedBy,
            request.CreatedAt,
            request.ExpiresAt,
            [.. votes.Select(v => new ApprovalVoteItem(v.AccountId, v.AuthenticatorId, v.SignCount, v.CreatedAt))]);
    }

    private async Task<Dictionary<string, string>> NamesAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken)
    {
        var ids = accountIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        await using var db = database.CreateContext();
        return await db.Accounts.Where(a => a.TenantId == TenantScope.Of(null) && ids.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id.ToString(), a => a.Name, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    private static ApprovalPolicyResponse ToResponse(ApprovalPolicy policy, IReadOnlyDictionary<string, string> names) => new(
        policy.Id,
        policy.Name,
        [.. policy.Kinds.Select(OperationKinds.Name)],
        [.. policy.Groups.Select(g => new ApprovalGroupItem(g.Name, g.Threshold, [.. g.Approvers.Select(a => new ApproverItem(a.AccountId, names.GetValueOrDefault(a.AccountId.ToString()), a.Active))]))],
        policy.AllowSyncedPasskeys,
        policy.Stranded);

    private static Dictionary<string, string> OperationDetails(ApprovalRequest request)
    {
        var details = new Dictionary<string, string>
        {
            ["kind"] = OperationKinds.Name(request.Operation.Kind),
            ["operation_target"] = request.Operation.Target,
            ["parameters_digest"] = Convert.ToHexStringLower(request.Operation.ParametersDigest),
            ["operator"] = request.OperatorAccountId.ToString(),
        };
        foreach (var (key, value) in request.Operation.Parameters)
        {
            details["p." + key] = value;
        }

        return details;
    }

    /// <summary>A quorum refusal, recorded as <c>approval.refused</c> with its code.</summary>
    private static Refusal Refuse(QuorumFailure failure, string? target) => new(KeywardErrors.From(failure), ApprovalAuditActions.Refused, target);
}
