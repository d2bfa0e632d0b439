using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.StepUps;

/// <summary>
/// Step-ups as rows: what a session proved with a fresh WebAuthn assertion, for which purpose and target, until when.
/// A window purpose is checked (<see cref="IsValidAsync"/>) and stays usable until it expires; a single-use purpose is
/// spent by the action it allows (<see cref="ConsumeAsync"/>: a DELETE whose row count decides, so two racing actions
/// with one step-up cannot both win, across threads, processes and nodes).
/// </summary>
public sealed class StepUpStore(KeywardDatabase database, TimeProvider time)
{
    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Records a step-up for <paramref name="sessionId"/>, valid for <paramref name="lifetime"/> (up to and including its
    /// last millisecond). An earlier one of the same purpose and target is replaced. Returns its id.
    /// </summary>
    public async Task<Guid> RecordAsync(
        Guid sessionId, Guid accountId, Guid authenticatorId, string purpose, string? target, TimeSpan lifetime, Guid? stepUpId = null, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var key = target ?? string.Empty;
        var entity = new StepUpEntity
        {
            Id = stepUpId ?? Guid.NewGuid(),
            TenantId = Tenants.Default,
            SessionId = sessionId,
            AccountId = accountId,
            AuthenticatorId = authenticatorId,
            Purpose = purpose,
            Target = key,
            CreatedAt = now,
            ExpiresAt = now + (long)lifetime.TotalMilliseconds,
        };
        await using var db = database.CreateContext();
        await db.StepUps.Where(s => (s.SessionId == sessionId && s.Purpose == purpose && s.Target == key) || s.ExpiresAt < now)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        db.StepUps.Add(entity);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return entity.Id;
    }

    /// <summary>True when the session holds an unexpired step-up of that purpose and target; spends nothing.</summary>
    public async Task<bool> IsValidAsync(Guid sessionId, string purpose, string? target, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var key = target ?? string.Empty;
        await using var db = database.CreateContext();
        return await db.StepUps.AnyAsync(s => s.SessionId == sessionId && s.Purpose == purpose && s.Target == key && s.ExpiresAt >= now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Spends the session's step-up of that purpose and target, atomically; true for exactly one caller.</summary>
    public async Task<bool> ConsumeAsync(Guid sessionId, string purpose, string? target, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var key = target ?? string.Empty;
        await using var db = database.CreateContext();
        var deleted = await db.StepUps.Where(s => s.SessionId == sessionId && s.Purpose == purpose && s.Target == key && s.ExpiresAt >= now)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return deleted >= 1;
    }
}
