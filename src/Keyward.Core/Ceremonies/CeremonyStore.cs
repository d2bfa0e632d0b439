using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Ceremonies;

/// <summary>
/// Holds the server half of WebAuthn ceremonies between the options and the response. A ceremony is consumed
/// exactly once: the DELETE is the gate, so two racing responses (threads, processes or nodes) cannot both win.
/// Every sign-in runs through here twice, so each step is one statement: a compiled query for the read and a plain
/// command for each write (through EF Core's raw SQL, so SQLite's write gate still sees it), with no change tracking.
/// </summary>
public sealed class CeremonyStore(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How often at most abandoned ceremonies are swept as new ones arrive.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    // Per instance, not static: a compiled query runs against one model only, and each KeywardDatabase has its own.
    private readonly Func<KeywardDbContext, Guid, string, CancellationToken, Task<CeremonyEntity?>> _find =
        EF.CompileAsyncQuery((KeywardDbContext db, Guid id, string kind, CancellationToken ct) => db.Ceremonies.AsNoTracking().SingleOrDefault(c => c.Id == id && c.Kind == kind));

    private long _sweptAt = long.MinValue;

    /// <summary>Stores a ceremony and returns its id.</summary>
    public async Task<Guid> SaveAsync(string kind, byte[] challenge, string state, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await SaveAsync(db, kind, challenge, state, lifetime, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="SaveAsync(string, byte[], string, TimeSpan, CancellationToken)"/>, on a context the caller holds.</summary>
    public async Task<Guid> SaveAsync(KeywardDbContext db, string kind, byte[] challenge, string state, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = Guid.NewGuid();
        var tenant = Tenants.Default;
        var expiresAt = now + (long)lifetime.TotalMilliseconds;
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO ceremonies ("Id", "TenantId", "Kind", "Challenge", "State", "ExpiresAt") VALUES ({id}, {tenant}, {kind}, {challenge}, {state}, {expiresAt})""",
            cancellationToken).ConfigureAwait(false);

        // Abandoned ceremonies are swept as new ones arrive, at most once per SweepInterval (an expired one is refused
        // at finish whether or not its row is still there); the index on ExpiresAt keeps this cheap.
        var swept = Interlocked.Read(ref _sweptAt);
        if (now - swept >= (long)SweepInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _sweptAt, now, swept) == swept)
        {
            await db.Database.ExecuteSqlAsync($"""DELETE FROM ceremonies WHERE "ExpiresAt" < {now}""", cancellationToken).ConfigureAwait(false);
        }

        return id;
    }

    /// <summary>Takes a ceremony of a kind; null when unknown, of another kind, already taken, or expired.</summary>
    public async Task<CeremonyEntity?> ConsumeAsync(Guid id, string kind, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await ConsumeAsync(db, id, kind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="ConsumeAsync(Guid, string, CancellationToken)"/>, on a context the caller holds.</summary>
    public async Task<CeremonyEntity?> ConsumeAsync(KeywardDbContext db, Guid id, string kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var entity = await _find(db, id, kind, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return null;
        }

        // Single use (architecture rule 2): of racing finishes, only the one whose DELETE removed the row goes on.
        var deleted = await db.Database.ExecuteSqlAsync($"""DELETE FROM ceremonies WHERE "Id" = {id}""", cancellationToken).ConfigureAwait(false);
        return deleted == 1 && entity.ExpiresAt > time.GetUtcNow().ToUnixTimeMilliseconds() ? entity : null;
    }
}
