using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Ceremonies;

/// <summary>
/// Holds the server half of WebAuthn ceremonies between the options and the response. A ceremony is consumed
/// exactly once: the DELETE is the gate, so two racing responses (threads, processes or nodes) cannot both win.
/// </summary>
public sealed class CeremonyStore(KeywardDatabase database, TimeProvider time)
{
    /// <summary>Stores a ceremony and returns its id.</summary>
    public async Task<Guid> SaveAsync(string kind, byte[] challenge, string state, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entity = new CeremonyEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Kind = kind,
            Challenge = challenge,
            State = state,
            ExpiresAt = now + (long)lifetime.TotalMilliseconds,
        };
        await using var db = database.CreateContext();
        db.Ceremonies.Add(entity);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        // Abandoned ceremonies are cleaned up as new ones arrive; the index on ExpiresAt keeps this cheap.
        await db.Ceremonies.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return entity.Id;
    }

    /// <summary>Takes a ceremony of a kind; null when unknown, of another kind, already taken, or expired.</summary>
    public async Task<CeremonyEntity?> ConsumeAsync(Guid id, string kind, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var entity = await db.Ceremonies.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.Kind == kind, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        var deleted = await db.Ceremonies.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1 && entity.ExpiresAt > time.GetUtcNow().ToUnixTimeMilliseconds() ? entity : null;
    }
}
