using System.Buffers.Binary;
using System.Collections.Concurrent;
using Keyward.Core.Cluster;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Sessions;

/// <summary>
/// Sign-in sessions (<c>kws_</c>). A check costs no database round trip while the node's cached view is fresh:
/// the token's form is checked without I/O, then the session is looked up by the hash of the token in memory.
/// Revocations made on this node take effect at once (the revoked-id set wins over any racing cache fill); on PostgreSQL
/// other nodes hear them through the revocation bus (<see cref="RevocationBus"/>, <see cref="ApplyEndedElsewhereAsync"/>)
/// and, while a node cannot hear them, it honours no cache hit (<see cref="CacheTrust"/>). Without the bus other nodes
/// see them within <see cref="SessionOptions.CacheRevalidateInterval"/>.
/// </summary>
public sealed partial class SessionService
{
    private readonly KeywardDatabase _database;
    private readonly TimeProvider _time;
    private readonly SessionOptions _options;
    private readonly RevocationBus _bus;
    private readonly ConcurrentDictionary<(ulong, ulong), CachedSession> _cache = new();

    // The same cached sessions by id, for app sessions, which name their parent by id (CheckIdAsync).
    private readonly ConcurrentDictionary<Guid, CachedSession> _byId = new();
    // Sessions ended on this node: when they expire anyway (for sweeping) and why they ended, so a reader that sees the
    // mark before the database row is updated still reports the real reason.
    private readonly ConcurrentDictionary<Guid, (long ExpiresAt, string Reason)> _revoked = new();
    private const int SweepFloor = 10_000;

    private const string InsertSql = """
        INSERT INTO sessions ("Id", "TenantId", "TokenHash", "AccountId", "AuthenticatorId", "UserVerified", "CreatedAt", "ExpiresAt", "LastSeenAt", "ClientAddress", "ClientDevice")
        VALUES (@id, @tenant, @hash, @account, @authenticator, @uv, @created, @expires, @seen, @address, @device)
        """;
    // The revoked-id set's size at which the next sweep of expired marks runs.
    private int _sweepAt = SweepFloor;

    /// <summary>
    /// Creates the service. The host validates <paramref name="options"/> once, at start (<see cref="SessionOptions.Validate"/>);
    /// <paramref name="bus"/> (default none: one node) publishes its revocations to the other nodes and says when the
    /// cache may be trusted.
    /// </summary>
    public SessionService(KeywardDatabase database, TimeProvider time, SessionOptions options, RevocationBus? bus = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _time = time;
        _options = options;
        _bus = bus ?? RevocationBus.None;

        // Only a bus's own trust ever resumes; the shared CacheTrust.Always never does, and subscribing to it would root
        // every service built without a bus (and its caches) for the life of the process.
        if (_bus.Enabled)
        {
            _bus.Trust.Resuming += DropCache;
        }
    }

    /// <summary>
    /// Raised after a session is ended on this node (logout, revocation, key removal), or on another node and heard here
    /// through the revocation bus, with its id: whatever holds the session here (sockets, cached assertions) lets go.
    /// </summary>
    public event Action<Guid>? Ended;

    /// <summary>Raised after a session is ended by this node only (not for one heard from another node): for counting.</summary>
    public event Action<Guid>? EndedByThisNode;

    /// <summary>The options in force.</summary>
    public SessionOptions Options => _options;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Opens a session after a verified sign-in; returns the token once (only its hash is stored). A caller that must
    /// name the session before it exists (to audit it first) passes <paramref name="sessionId"/>.
    /// </summary>
    public async Task<(string Token, SessionInfo Session, DateTimeOffset IdleExpiresAt)> CreateAsync(
        AccountEntity account, Guid authenticatorId, bool userVerified, string? clientAddress, Guid? sessionId = null, string? clientDevice = null, CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        return await CreateAsync(db, account, authenticatorId, userVerified, clientAddress, sessionId, clientDevice, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="CreateAsync(AccountEntity, Guid, bool, string?, Guid?, string?, CancellationToken)"/>, on a context the
    /// caller holds (a sign-in runs all of its steps on one context and connection).
    /// </summary>
    public async Task<(string Token, SessionInfo Session, DateTimeOffset IdleExpiresAt)> CreateAsync(
        KeywardDbContext db, AccountEntity account, Guid authenticatorId, bool userVerified, string? clientAddress, Guid? sessionId = null, string? clientDevice = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(account);
        var token = SecretToken.Generate(CredentialKind.Session);
        var now = Now;
        var entity = new SessionEntity
        {
            Id = sessionId ?? Guid.NewGuid(),
            TenantId = account.TenantId,
            TokenHash = SecretToken.Hash(CredentialKind.Session, token),
            AccountId = account.Id,
            AuthenticatorId = authenticatorId,
            UserVerified = userVerified,
            CreatedAt = now,
            ExpiresAt = now + (long)_options.AbsoluteLifetime.TotalMilliseconds,
            LastSeenAt = now,
            ClientAddress = clientAddress,
            ClientDevice = clientDevice is { Length: > DeviceLabel.MaxLength } ? clientDevice[..DeviceLabel.MaxLength] : clientDevice,
        };
        // One plain INSERT, no change tracking, no EF Core command: every sign-in opens a session (issue 15). It enters
        // SQLite's write gate itself (PlainCommand) and binds each value as EF Core stores it.
        await using (var insert = await PlainCommand.CreateAsync(_database, db, InsertSql, cancellationToken).ConfigureAwait(false))
        {
            await insert.Bind("@id", entity.Id).Bind("@tenant", entity.TenantId).Bind("@hash", entity.TokenHash).Bind("@account", entity.AccountId)
                .Bind("@authenticator", entity.AuthenticatorId).Bind("@uv", entity.UserVerified).Bind("@created", entity.CreatedAt).Bind("@expires", entity.ExpiresAt)
                .Bind("@seen", entity.LastSeenAt).Bind("@address", entity.ClientAddress).Bind("@device", entity.ClientDevice)
                .WriteAsync(cancellationToken).ConfigureAwait(false);
        }

        var info = ToInfo(entity, account.Name, account.Role);
        Cache(entity.TokenHash, info, entity.ExpiresAt, now, now, _bus.Trust.Generation);
        return (token, info, DateTimeOffset.FromUnixTimeMilliseconds(now + (long)_options.IdleTimeout.TotalMilliseconds));
    }

    /// <summary>Checks a token and, when valid, records the use (which pushes idle expiry back).</summary>
    public ValueTask<SessionCheck> CheckAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Session, token))
        {
            return ValueTask.FromResult(Fail(SessionFailure.Invalid));
        }

        // A cache hit, the proxied request's case, hashes on the stack and allocates no key: only a miss keeps the hash.
        Span<byte> hash = stackalloc byte[SecretToken.HashLength];
        SecretToken.Hash(CredentialKind.Session, token, hash);
        var key = Key(hash);
        var now = Now;
        var generation = _bus.Trust.Generation;
        if (_cache.TryGetValue(key, out var cached) && cached.TokenHash.AsSpan().SequenceEqual(hash) && now < cached.RevalidateAt && _bus.Trust.Honours(cached.Generation) && !_revoked.ContainsKey(cached.Session.Id))
        {
            return UseAsync(key, cached, now, cancellationToken);
        }

        return CheckStoredAsync(hash.ToArray(), key, cached, now, generation, cancellationToken);
    }

    // The cache missed, or its entry is due for revalidation: read the session and its account. The trust generation
    // was read before the database, so an entry filled from a read begun before a listener reconnect is never honoured.
    private async ValueTask<SessionCheck> CheckStoredAsync(byte[] hash, (ulong, ulong) key, CachedSession? cached, long now, long generation, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var row = await db.Sessions.AsNoTracking()
            .Where(s => s.TokenHash == hash)
            .Join(db.Accounts, s => s.AccountId, a => a.Id, (s, a) => new { Session = s, a.Name, a.Role, a.DisabledAt })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return Fail(SessionFailure.Invalid);
        }

        if (row.Session.RevokedAt is not null || _revoked.ContainsKey(row.Session.Id))
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(key, row.Session.Id);
            return Fail(SessionFailures.FromReason(row.Session.RevokedReason ?? RevokedReason(row.Session.Id)));
        }

        // Defence in depth: disabling an account ends its sessions, but one that survived (opened by a sign-in that
        // raced the disable, or not yet marked on this node) is still refused while the account is disabled.
        if (row.DisabledAt is not null)
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(key, row.Session.Id);
            return Fail(SessionFailure.AccountDisabled);
        }

        // Keep the later of the stored and the in-memory last use: this node may not have written it back yet.
        var lastSeen = Math.Max(row.Session.LastSeenAt, cached?.LastSeen ?? 0);
        var entry = Cache(hash, ToInfo(row.Session, row.Name, row.Role), row.Session.ExpiresAt, lastSeen, row.Session.LastSeenAt, generation);
        return await UseAsync(key, entry, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks a session by its id, as <see cref="CheckAsync"/> checks a token (and, like it, records the use): for app
    /// sessions, which hold their parent's id. A session ended on this node is refused at once, without I/O.
    /// </summary>
    public async ValueTask<SessionCheck> CheckIdAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (_revoked.TryGetValue(sessionId, out var ended))
        {
            return Fail(SessionFailures.FromReason(ended.Reason));
        }

        var generation = _bus.Trust.Generation;
        if (_byId.TryGetValue(sessionId, out var cached) && now < cached.RevalidateAt && _bus.Trust.Honours(cached.Generation))
        {
            return await UseAsync(Key(cached.TokenHash), cached, now, cancellationToken).ConfigureAwait(false);
        }

        await using var db = _database.CreateContext();
        var row = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Join(db.Accounts, s => s.AccountId, a => a.Id, (s, a) => new { Session = s, a.Name, a.Role, a.DisabledAt })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return Fail(SessionFailure.Invalid);
        }

        if (row.Session.RevokedAt is not null || _revoked.ContainsKey(sessionId))
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(Key(row.Session.TokenHash), sessionId);
            return Fail(SessionFailures.FromReason(row.Session.RevokedReason ?? RevokedReason(sessionId)));
        }

        if (row.DisabledAt is not null)
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(Key(row.Session.TokenHash), sessionId);
            return Fail(SessionFailure.AccountDisabled);
        }

        var lastSeen = Math.Max(row.Session.LastSeenAt, cached?.LastSeen ?? 0);
        var entry = Cache(row.Session.TokenHash, ToInfo(row.Session, row.Name, row.Role), row.Session.ExpiresAt, lastSeen, row.Session.LastSeenAt, generation);
        return await UseAsync(Key(row.Session.TokenHash), entry, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The state of sessions by id, for holders of a session's id rather than its token (open WebSockets). It records
    /// no use, so it never pushes idle expiry back. One database read for all of them; idle time counts the later of
    /// the stored and this node's in-memory last use. An unknown id is <see cref="SessionFailure.Invalid"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, SessionCheck>> InspectAsync(IReadOnlyCollection<Guid> sessionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var result = new Dictionary<Guid, SessionCheck>(sessionIds.Count);
        if (sessionIds.Count == 0)
        {
            return result;
        }

        var ids = sessionIds.Distinct().ToList();
        await using var db = _database.CreateContext();
        var rows = await db.Sessions.AsNoTracking()
            .Where(s => ids.Contains(s.Id))
            .Join(db.Accounts, s => s.AccountId, a => a.Id, (s, a) => new { Session = s, a.Name, a.Role, a.DisabledAt })
            .ToDictionaryAsync(r => r.Session.Id, cancellationToken).ConfigureAwait(false);
        var now = Now;
        var idle = (long)_options.IdleTimeout.TotalMilliseconds;
        foreach (var id in ids)
        {
            if (!rows.TryGetValue(id, out var row))
            {
                result[id] = Fail(SessionFailure.Invalid);
                continue;
            }

            var lastSeen = Math.Max(row.Session.LastSeenAt, LastSeenInMemory(row.Session));
            result[id] = row.Session.RevokedAt is not null || _revoked.ContainsKey(id) ? Fail(SessionFailures.FromReason(row.Session.RevokedReason ?? RevokedReason(id)))
                : row.DisabledAt is not null ? Fail(SessionFailure.AccountDisabled)
                : now >= row.Session.ExpiresAt ? Fail(SessionFailure.Expired)
                : now - lastSeen >= idle ? Fail(SessionFailure.IdleExpired)
                : new SessionCheck(ToInfo(row.Session, row.Name, row.Role), null, DateTimeOffset.FromUnixTimeMilliseconds(lastSeen + idle));
        }

        return result;
    }

    /// <summary>An account's live sessions, newest first, each with its latest use (<c>LastSeenAt</c>, this node's included).</summary>
    public async Task<List<SessionEntity>> ListAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var idle = (long)_options.IdleTimeout.TotalMilliseconds;
        await using var db = _database.CreateContext();
        var rows = await db.Sessions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.CreatedAt)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            // Untracked copies: the latest use this node saw and has not yet written back.
            row.LastSeenAt = Math.Max(row.LastSeenAt, LastSeenInMemory(row));
        }

        return [.. rows.Where(s => s.LastSeenAt + idle > now)];
    }

    /// <summary>
    /// This node's latest use of a session read from the database, 0 if it is not cached here: one lookup by the row's
    /// token hash, the key the session is cached under (a session has one token, so at most one entry). Not a scan of the
    /// cache: InspectAsync runs twice per WebSocket upgrade, and copying and scanning every cached session (tens of
    /// thousands on a busy node) made each upgrade's cost grow with the sessions signed in (issue 15 follow-up).
    /// </summary>
    private long LastSeenInMemory(SessionEntity row) =>
        row.TokenHash is { Length: SecretToken.HashLength } hash && _cache.TryGetValue(Key(hash), out var entry) && entry.Session.Id == row.Id
            ? Interlocked.Read(ref entry.LastSeen)
            : 0;

    private async ValueTask<SessionCheck> UseAsync((ulong, ulong) key, CachedSession entry, long now, CancellationToken cancellationToken)
    {
        if (now >= entry.ExpiresAt)
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(key, entry.Session.Id);
            return Fail(SessionFailure.Expired);
        }

        var idle = (long)_options.IdleTimeout.TotalMilliseconds;
        if (now - Interlocked.Read(ref entry.LastSeen) >= idle)
        {
            // Stryker disable once Statement : equivalent, eviction only frees memory; a later check re-reads the row or fails the same way (time only moves forward)
            Evict(key, entry.Session.Id);
            return Fail(SessionFailure.IdleExpired);
        }

        Interlocked.Exchange(ref entry.LastSeen, now);
        if (now - Interlocked.Read(ref entry.PersistedLastSeen) >= (long)_options.LastSeenWriteInterval.TotalMilliseconds)
        {
            Interlocked.Exchange(ref entry.PersistedLastSeen, now);
            await using var db = _database.CreateContext();
            var id = entry.Session.Id;
            await db.Sessions.Where(s => s.Id == id && s.LastSeenAt < now)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken).ConfigureAwait(false);
        }

        return new SessionCheck(entry.Session, null, DateTimeOffset.FromUnixTimeMilliseconds(now + idle));
    }

    // generation: the cache trust's generation read before the database was (see CacheTrust): an entry filled from a read
    // that began before the listener last came back is never honoured.
    private CachedSession Cache(byte[] hash, SessionInfo info, long expiresAt, long lastSeen, long persistedLastSeen, long generation)
    {
        var entry = new CachedSession(info, hash, expiresAt, Now + (long)_options.CacheRevalidateInterval.TotalMilliseconds)
        {
            Generation = generation,
            LastSeen = lastSeen,
            PersistedLastSeen = persistedLastSeen,
        };
        if (!_revoked.ContainsKey(info.Id))
        {
            _cache[Key(hash)] = entry;
            _byId[info.Id] = entry;
        }

        return entry;
    }

    // Stryker disable once all : equivalent, see the callers: eviction only frees memory
    private void Evict((ulong, ulong) key, Guid sessionId)
    {
        _cache.TryRemove(key, out _);
        _byId.TryRemove(sessionId, out _);
    }

    private static SessionInfo ToInfo(SessionEntity s, string accountName, string role) => new(
        s.Id, s.AccountId, accountName, role, s.AuthenticatorId, s.UserVerified,
        DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(s.ExpiresAt));

    private static (ulong, ulong) Key(ReadOnlySpan<byte> hash) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));

    private static SessionCheck Fail(SessionFailure failure) => new(null, failure, default);

    private sealed class CachedSession(SessionInfo session, byte[] tokenHash, long expiresAt, long revalidateAt)
    {
        public long LastSeen;
        public long PersistedLastSeen;

        public long Generation { get; init; }

        public SessionInfo Session { get; } = session;

        public byte[] TokenHash { get; } = tokenHash;

        public long ExpiresAt { get; } = expiresAt;

        public long RevalidateAt { get; } = revalidateAt;
    }
}
