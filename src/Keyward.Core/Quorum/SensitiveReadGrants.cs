using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Quorum;

/// <summary>
/// One-time reads of a sensitive secret (docs/approvals.md, "Sensitive reads"). An applied <c>read_sensitive_secret</c>
/// operation is itself the grant: target the secret's path, parameters <c>actor</c> (the actor's id) and
/// <c>data_class</c> (a class marked sensitive), on the authority of its operator. The vault asks
/// <see cref="HasUnspentAsync(VaultAddress, CancellationToken)"/> and takes the read with <see cref="TrySpendAsync"/> (<see cref="ISensitiveReadApprovals"/>), one conditional UPDATE from
/// <c>applied</c> to <c>spent</c>, so one approval allows exactly one read, even when two reads race. A grant not spent
/// within <see cref="Lifetime"/> of its approval lapses.
/// </summary>
public sealed class SensitiveReadGrants(KeywardDatabase database, TimeProvider time) : ISensitiveReadApprovals
{
    /// <summary>How long an approved read stays usable.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>The operation to propose for a read of (operator's) <paramref name="actorId"/>'s secret at <paramref name="path"/> in <paramref name="dataClass"/>.</summary>
    public static QuorumResult<ApprovalOperation> Operation(VaultDataClass dataClass, Guid actorId, string path)
    {
        ArgumentNullException.ThrowIfNull(dataClass);
        return ApprovalOperation.Create(OperationKind.ReadSensitiveSecret, path, new Dictionary<string, string>
        {
            ["actor"] = actorId.ToString(),
            ["data_class"] = dataClass.Name,
        });
    }

    /// <summary>True when an approved, unspent, unlapsed read exists for (operator, actor, class, path).</summary>
    public Task<bool> HasUnspentAsync(Guid operatorAccountId, Guid actorId, VaultDataClass dataClass, string path, CancellationToken cancellationToken = default) =>
        HasUnspentAsync(new VaultAddress(TenantScope.Of(operatorAccountId), dataClass, operatorAccountId, actorId, path), cancellationToken);

    /// <summary>True when an approved, unspent, unlapsed read of <paramref name="address"/> exists.</summary>
    public async Task<bool> HasUnspentAsync(VaultAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Candidates(address.DataClass, address.ActorId, address.Path) is not { } encoded)
        {
            return false;
        }

        await using var db = database.CreateContext();
        return await Matching(db, address, encoded).AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Spends one approved read for (operator, actor, class, path); true when this caller took it, false when there was none left.</summary>
    public async Task<bool> SpendAsync(Guid operatorAccountId, Guid actorId, VaultDataClass dataClass, string path, CancellationToken cancellationToken = default) =>
        await TrySpendAsync(new VaultAddress(TenantScope.Of(operatorAccountId), dataClass, operatorAccountId, actorId, path), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<bool> TrySpendAsync(VaultAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Candidates(address.DataClass, address.ActorId, address.Path) is not { } encoded)
        {
            return false;
        }

        await using var db = database.CreateContext();
        var ids = await Matching(db, address, encoded).OrderBy(r => r.ClosedAt).Select(r => r.Id).Take(8)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            var taken = await db.ApprovalRequests.Where(r => r.Id == id && r.State == ApprovalStates.Applied)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, ApprovalStates.Spent), cancellationToken).ConfigureAwait(false);
            if (taken == 1)
            {
                return true;
            }
        }

        return false;
    }

    private IQueryable<ApprovalRequestEntity> Matching(KeywardDbContext db, VaultAddress address, byte[] encoded)
    {
        var since = (time.GetUtcNow() - Lifetime).ToUnixTimeMilliseconds();
        var (operatorAccountId, path) = (address.OperatorId, address.Path);
        return db.ApprovalRequests.InTenant(address.TenantId).Where(r =>
            r.Kind == (int)OperationKind.ReadSensitiveSecret && r.State == ApprovalStates.Applied && r.OperatorAccountId == operatorAccountId
            && r.Target == path && r.Parameters == encoded && r.ClosedAt > since);
    }

    private static byte[]? Candidates(VaultDataClass dataClass, Guid actorId, string path) =>
        dataClass.Sensitive && Operation(dataClass, actorId, path) is { Succeeded: true } operation ? operation.Value.EncodedParameters : null;
}
