using Keyward.Core.Storage;

namespace Keyward.Core.Ceremonies;

/// <summary>
/// Holds the server half of WebAuthn ceremonies between the options and the response. A ceremony is consumed
/// exactly once: the DELETE is the gate, so two racing responses (threads, processes or nodes) cannot both win.
/// Every sign-in runs through here twice, so each step is one plain ADO.NET statement (<see cref="PlainCommand"/>, behind
/// the write gate, issue 15): an INSERT, and a <c>DELETE … RETURNING</c> that takes the row and reads it at once.
/// </summary>
public sealed class CeremonyStore(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How often at most abandoned ceremonies are swept as new ones arrive.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private const string Insert = """INSERT INTO ceremonies ("Id", "TenantId", "Kind", "Challenge", "State", "ExpiresAt") VALUES (@id, @tenant, @kind, @challenge, @state, @expires)""";
    private const string Sweep = """DELETE FROM ceremonies WHERE "ExpiresAt" < @now""";
    private const string Take = "DELETE FROM ceremonies WHERE \"Id\" = @id AND \"Kind\" = @kind RETURNING \"TenantId\", \"Challenge\", \"State\", \"ExpiresAt\"";

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
        await using (var insert = await PlainCommand.CreateAsync(database, db, Insert, cancellationToken).ConfigureAwait(false))
        {
            await insert.Bind("@id", id).Bind("@tenant", tenant).Bind("@kind", kind).Bind("@challenge", challenge).Bind("@state", state).Bind("@expires", expiresAt)
                .WriteAsync(cancellationToken).ConfigureAwait(false);
        }

        // Abandoned ceremonies are swept as new ones arrive, at most once per SweepInterval (an expired one is refused
        // at finish whether or not its row is still there); the index on ExpiresAt keeps this cheap.
        var swept = Interlocked.Read(ref _sweptAt);
        if (now - swept >= (long)SweepInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _sweptAt, now, swept) == swept)
        {
            await using var sweep = await PlainCommand.CreateAsync(database, db, Sweep, cancellationToken).ConfigureAwait(false);
            await sweep.Bind("@now", now).WriteAsync(cancellationToken).ConfigureAwait(false);
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

        // Single use (architecture rule 2): of racing finishes, only the one whose DELETE removed the row gets it back and
        // goes on. A ceremony of another kind is neither removed nor returned; an expired one is removed and refused.
        await using var take = await PlainCommand.CreateAsync(database, db, Take, cancellationToken).ConfigureAwait(false);
        var entity = await take.Bind("@id", id).Bind("@kind", kind).WriteReturningAsync(
            reader => new CeremonyEntity
            {
                Id = id,
                TenantId = reader.GetString(0),
                Kind = kind,
                Challenge = (byte[])reader.GetValue(1),
                State = reader.GetString(2),
                ExpiresAt = reader.GetInt64(3),
            },
            cancellationToken).ConfigureAwait(false);
        return entity is not null && entity.ExpiresAt > time.GetUtcNow().ToUnixTimeMilliseconds() ? entity : null;
    }
}
