using Keyward.Core.Storage;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// M-of-N approvals (docs/approvals.md). <see cref="ProposeAsync"/> records an operation under the policy that governs its
/// kind, with the challenge SHA-256(canonical operation ‖ operator nonce ‖ instance id); <see cref="VoteAsync"/> counts
/// each approval (a WebAuthn assertion over that challenge) and, on the one that completes the quorum, applies the
/// operation and bumps the operator's nonce in the same transaction; <see cref="WithdrawAsync"/> and
/// <see cref="ExpireAsync"/> close requests that will not complete.
/// </summary>
public sealed partial class ApprovalService
{
    private readonly KeywardDatabase _database;
    private readonly RelyingParty _relyingParty;
    private readonly QuorumSettings _settings;
    private readonly TimeProvider _time;
    private readonly Dictionary<OperationKind, IApprovalApplier> _appliers;

    /// <summary>Creates the service; <paramref name="appliers"/> add kinds beyond the built-in policy changes.</summary>
    public ApprovalService(KeywardDatabase database, RelyingParty relyingParty, QuorumSettings settings, TimeProvider time, IEnumerable<IApprovalApplier>? appliers = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid quorum settings: " + string.Join(" ", errors), nameof(settings));
        }

        _database = database;
        _relyingParty = relyingParty;
        _settings = settings;
        _time = time;
        _appliers = [];
        foreach (var applier in PolicyChangeApplier.All.Concat(appliers ?? []))
        {
            if (!_appliers.TryAdd(applier.Kind, applier))
            {
                throw new ArgumentException($"Two appliers for {OperationKinds.Name(applier.Kind)}.", nameof(appliers));
            }
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Proposes <paramref name="operation"/> on the authority of <paramref name="operatorAccountId"/>. Refused when no
    /// applier or no policy exists for its kind, when the policy is stranded, or when the applier's check fails (a change
    /// that would strand a group is refused here, and again when applied).
    /// </summary>
    public async Task<QuorumResult<ApprovalRequest>> ProposeAsync(ApprovalOperation operation, Guid operatorAccountId, Guid proposedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!_appliers.TryGetValue(operation.Kind, out var applier))
        {
            return QuorumResult<ApprovalRequest>.Fail(QuorumError.OperationNotSupported, OperationKinds.Name(operation.Kind));
        }

        var tenant = TenantScope.Of(operatorAccountId);
        var now = Now;
        await using var db = _database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var policy = await ApprovalPolicyService.ForKindAsync(db, operation.Kind, cancellationToken).ConfigureAwait(false);
        if (policy is null)
        {
            return QuorumResult<ApprovalRequest>.Fail(QuorumError.NoPolicy, OperationKinds.Name(operation.Kind));
        }

        if (policy.Stranded)
        {
            return QuorumResult<ApprovalRequest>.Fail(QuorumError.PolicyStranded, policy.Name);
        }

        var context = new ApprovalContext { Database = db, Operation = operation, OperatorAccountId = operatorAccountId, Now = now };
        if (await applier.CheckAsync(context, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var nonce = await NonceAsync(db, tenant, operatorAccountId, cancellationToken).ConfigureAwait(false);
        var row = new ApprovalRequestEntity
        {
            Id = Guid.NewGuid(),
            TenantId = tenant,
            PolicyId = policy.Id,
            OperatorAccountId = operatorAccountId,
            ProposedBy = proposedBy,
            Kind = (int)operation.Kind,
            Target = operation.Target,
            Parameters = operation.EncodedParameters,
            ParametersDigest = operation.ParametersDigest,
            Nonce = nonce,
            Challenge = OperationCanonical.Challenge(operation.Canonical, nonce, _settings.InstanceId),
            State = ApprovalStates.Pending,
            CreatedAt = now,
            ExpiresAt = now + (long)_settings.PendingLifetime.TotalMilliseconds,
        };
        db.ApprovalRequests.Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return QuorumResult<ApprovalRequest>.Ok(ToRequest(row, operation));
    }

    /// <summary>The request, or null.</summary>
    public async Task<ApprovalRequest?> GetAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        var row = await db.ApprovalRequests.InTenant(TenantScope.Of(null)).AsNoTracking()
            .FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRequest(row, StoredOperation(row));
    }

    /// <summary>The operator's current nonce (0 before its first applied operation).</summary>
    public async Task<long> CurrentNonceAsync(Guid operatorAccountId, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await db.ApprovalOperators.Where(o => o.AccountId == operatorAccountId)
            .Select(o => o.Nonce).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws a pending, unexpired request; only its proposer or its operator may. One conditional UPDATE decides.</summary>
    public async Task<QuorumFailure?> WithdrawAsync(Guid requestId, Guid byAccountId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = _database.CreateContext();
        var withdrawn = await db.ApprovalRequests.InTenant(TenantScope.Of(byAccountId))
            .Where(r => r.Id == requestId && r.State == ApprovalStates.Pending && r.ExpiresAt > now && (r.ProposedBy == byAccountId || r.OperatorAccountId == byAccountId))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Withdrawn).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
        if (withdrawn == 1)
        {
            return null;
        }

        var row = await db.ApprovalRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken).ConfigureAwait(false);
        return row is null ? new QuorumFailure(QuorumError.RequestUnknown) : Closed(row, now) ?? new QuorumFailure(QuorumError.NotWithdrawable);
    }

    /// <summary>Marks every pending request past its lifetime as expired; returns how many. Expired requests are refused before this runs too.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = _database.CreateContext();
        return await db.ApprovalRequests.InTenant(TenantScope.Of(null))
            .Where(r => r.State == ApprovalStates.Pending && r.ExpiresAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Expired).SetProperty(r => r.ClosedAt, now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why a request that is not pending (or past its lifetime) takes no more votes; null while it does.</summary>
    private static QuorumFailure? Closed(ApprovalRequestEntity row, long now) => row.State switch
    {
        ApprovalStates.Applied or ApprovalStates.Spent => new QuorumFailure(QuorumError.Replayed, "the request was already applied"),
        ApprovalStates.Denied => new QuorumFailure(QuorumError.Denied),
        ApprovalStates.Withdrawn => new QuorumFailure(QuorumError.Withdrawn),
        ApprovalStates.Expired => new QuorumFailure(QuorumError.Expired),
        _ when row.ExpiresAt <= now => new QuorumFailure(QuorumError.Expired),
        _ => null,
    };

    /// <summary>The operator's nonce, creating its row at 0 on first use.</summary>
    private static async Task<long> NonceAsync(KeywardDbContext db, string tenant, Guid operatorAccountId, CancellationToken cancellationToken)
    {
        var row = await db.ApprovalOperators.FirstOrDefaultAsync(o => o.AccountId == operatorAccountId, cancellationToken).ConfigureAwait(false);
        if (row is not null)
        {
            return row.Nonce;
        }

        db.ApprovalOperators.Add(new ApprovalOperatorEntity { AccountId = operatorAccountId, TenantId = tenant, Nonce = 0 });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static ApprovalOperation StoredOperation(ApprovalRequestEntity row) =>
        ApprovalOperation.FromStored((OperationKind)row.Kind, row.Target, row.Parameters)
        ?? throw new InvalidOperationException($"Approval request {row.Id} holds parameters that are not canonical.");

    private static ApprovalRequest ToRequest(ApprovalRequestEntity row, ApprovalOperation operation) => new()
    {
        Id = row.Id,
        PolicyId = row.PolicyId,
        Operation = operation,
        OperatorAccountId = row.OperatorAccountId,
        ProposedBy = row.ProposedBy,
        Nonce = row.Nonce,
        Challenge = row.Challenge,
        State = row.State,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
    };
}
