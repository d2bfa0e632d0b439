using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Core.Text;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Agents;

/// <summary>
/// Enrollment, trust on first use (docs/remote-support.md): an admin creates a single-use enroll token (<c>kwe_</c>,
/// stored as its hash) bound to a tenant, a label, a policy and who may join; an agent presents it once and gets a
/// machine and its agent key (<c>kwa_</c>, stored as its hash). The token is consumed by one conditional UPDATE
/// (architecture rule 2) inside the transaction that creates the machine, so exactly one caller enrolls a machine with
/// it, across threads, processes and nodes.
/// </summary>
public sealed class EnrollmentService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How long a spent or expired token's row is kept, so a replay still reads as consumed or expired.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    /// <summary>The longest label.</summary>
    public const int MaxLabelLength = 200;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates an enroll token; returns the <c>kwe_</c> token once, and what it is bound to.</summary>
    /// <param name="label">The machine's label, 1 to <see cref="MaxLabelLength"/> characters.</param>
    /// <param name="policy">A known <see cref="AgentPolicies"/> value.</param>
    /// <param name="joiners">Who may join the machine's support sessions.</param>
    /// <param name="lifetime">How long the token is valid.</param>
    /// <param name="createdBy">The admin's account.</param>
    /// <param name="tenantId">The tenant the machine will belong to.</param>
    /// <param name="id">The token's id, made by the caller so its audit record can name it first.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<(string Token, EnrollTokenInfo Info)> CreateAsync(
        string label, string policy, Joiners joiners, TimeSpan lifetime, Guid? createdBy, string tenantId, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(joiners);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(label.Length, MaxLabelLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(joiners.Accounts.Count, Joiners.MaxAccounts);
        if (!AgentPolicies.IsKnown(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "The policy is attended or unattended.");
        }

        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "An enroll token's lifetime must be positive.");
        }

        var token = SecretToken.Generate(CredentialKind.Enroll);
        var now = Now;
        var expiresAt = now + (long)lifetime.TotalMilliseconds;
        await using var db = database.CreateContext();
        db.EnrollTokens.Add(new EnrollTokenEntity
        {
            Id = id,
            TenantId = tenantId,
            TokenHash = SecretToken.Hash(CredentialKind.Enroll, token),
            Label = label,
            Policy = policy,
            JoinAccounts = joiners.StoredAccounts,
            JoinRoles = joiners.StoredRoles,
            UsesLeft = 1,
            ExpiresAt = expiresAt,
            CreatedAt = now,
            CreatedBy = createdBy,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (token, new EnrollTokenInfo(id, label, policy, joiners, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt)));
    }

    /// <summary>
    /// Enrolls a machine with <paramref name="token"/>: for exactly one caller, a new machine and its agent key; for the
    /// others, why not (expired, consumed, revoked, or invalid). A malformed token is refused without a database read.
    /// <paramref name="hostname"/> and <paramref name="version"/> are recorded as reported, and select nothing.
    /// </summary>
    public async Task<Enrollment> EnrollAsync(string? token, string? hostname, string? version, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Enroll, token))
        {
            return new Enrollment(null, null, EnrollFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.Enroll, token!);
        var now = Now;
        var key = SecretToken.Generate(CredentialKind.Agent);
        var machineId = Guid.NewGuid();
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Architecture rule 2: single use is decided by the database, never by a read followed by a write. The machine is
        // made in the same transaction, so a consumed token always has its machine.
        var consumed = await db.EnrollTokens
            .Where(t => t.TokenHash == hash && t.UsesLeft > 0 && t.ExpiresAt > now && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsesLeft, t => t.UsesLeft - 1).SetProperty(t => t.MachineId, machineId), cancellationToken).ConfigureAwait(false);
        var row = await db.EnrollTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken).ConfigureAwait(false);
        if (consumed != 1 || row is null)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return new Enrollment(null, null, row is null ? EnrollFailure.Invalid
                : row.RevokedAt is not null ? EnrollFailure.Revoked
                : row.UsesLeft <= 0 ? EnrollFailure.Consumed
                : EnrollFailure.Expired);
        }

        var machine = new MachineEntity
        {
            Id = machineId,
            TenantId = row.TenantId,
            Label = row.Label,
            Policy = row.Policy,
            JoinAccounts = row.JoinAccounts,
            JoinRoles = row.JoinRoles,
            KeyHash = SecretToken.Hash(CredentialKind.Agent, key),
            EnrollTokenId = row.Id,
            EnrolledAt = now,
            EnrolledBy = row.CreatedBy,
            Hostname = Bounded(hostname, 253),
            Version = Bounded(version, 64),
            LastSeenAt = now,
        };
        db.Machines.Add(machine);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Enrollment(MachineService.Info(machine), key, null);
    }

    /// <summary>Revokes an unused token of <paramref name="tenantId"/>; false when there is none with that id (used, expired or unknown).</summary>
    public async Task<bool> RevokeAsync(Guid id, string tenantId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        return await db.EnrollTokens.InTenant(tenantId)
            .Where(t => t.Id == id && t.UsesLeft > 0 && t.ExpiresAt > now && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Deletes tokens past expiry by more than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = Now - (long)Retention.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.EnrollTokens.Where(t => t.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reported text, without control or bidi-format characters (<see cref="UnsafeText"/>: it reaches admins'
    /// terminals) and cut to what its column holds (it is informational; an overlong or odd report is not an error).
    /// </summary>
    public static string? Bounded(string? text, int max)
    {
        var shown = text is null ? null : UnsafeText.Strip(text);
        return string.IsNullOrWhiteSpace(shown) ? null : shown.Length <= max ? shown : shown[..max];
    }
}
