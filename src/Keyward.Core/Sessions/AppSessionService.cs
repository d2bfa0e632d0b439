using System.Buffers.Binary;
using System.Collections.Concurrent;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Sessions;

/// <summary>
/// App sessions (<c>kwp_</c>): one app host's cookie, made by a redeemed handoff. Stored as the hash with its host and
/// parent session; looked up by hash AND host, so a cookie is unknown on any other host. It has no life of its own:
/// every check checks the parent (<see cref="SessionService.CheckIdAsync"/>), so logout, revocation and idle or absolute
/// expiry of the parent end every app session at once. The host binding never changes, so it is cached for good; the
/// parent's state is cached by the session service, whose revocations take effect at once on this node.
/// </summary>
public sealed class AppSessionService(KeywardDatabase database, SessionService sessions, TimeProvider time)
{
    private readonly ConcurrentDictionary<(ulong, ulong), Binding> _cache = new();

    /// <summary>Creates an app session for <paramref name="host"/> under <paramref name="parent"/>; returns the token once.</summary>
    public async Task<string> CreateAsync(SessionInfo parent, string host, Guid? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentException.ThrowIfNullOrEmpty(host);
        var token = SecretToken.Generate(CredentialKind.AppSession);
        var hash = SecretToken.Hash(CredentialKind.AppSession, token);
        var lower = host.ToLowerInvariant();
        await using (var db = database.CreateContext())
        {
            db.AppSessions.Add(new AppSessionEntity
            {
                Id = id ?? Guid.NewGuid(),
                TenantId = Tenants.Default,
                TokenHash = hash,
                Host = lower,
                SessionId = parent.Id,
                CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
                ExpiresAt = parent.ExpiresAt.ToUnixTimeMilliseconds(),
            });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        _cache[Key(hash)] = new Binding(hash, lower, parent.Id);
        return token;
    }

    /// <summary>
    /// Checks an app cookie presented on <paramref name="host"/>: its parent session's check (which records the use), or
    /// <see cref="SessionFailure.Invalid"/> for a malformed, unknown or other host's cookie (no database read for a
    /// malformed one).
    /// </summary>
    public async ValueTask<SessionCheck> CheckAsync(string? token, string host, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.AppSession, token))
        {
            return new SessionCheck(null, SessionFailure.Invalid, default);
        }

        var hash = SecretToken.Hash(CredentialKind.AppSession, token!);
        var key = Key(hash);
        if (!_cache.TryGetValue(key, out var binding) || !binding.TokenHash.AsSpan().SequenceEqual(hash))
        {
            await using var db = database.CreateContext();
            var row = await db.AppSessions.AsNoTracking().Where(a => a.TokenHash == hash)
                .Select(a => new { a.Host, a.SessionId }).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (row is null)
            {
                return new SessionCheck(null, SessionFailure.Invalid, default);
            }

            binding = new Binding(hash, row.Host, row.SessionId);
            _cache[key] = binding;
        }

        if (!string.Equals(binding.Host, host, StringComparison.OrdinalIgnoreCase))
        {
            return new SessionCheck(null, SessionFailure.Invalid, default);
        }

        var check = await sessions.CheckIdAsync(binding.SessionId, cancellationToken).ConfigureAwait(false);
        if (!check.IsValid)
        {
            _cache.TryRemove(key, out _);
        }

        return check;
    }

    /// <summary>Deletes app sessions whose parent's absolute expiry has passed; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = database.CreateContext();
        return await db.AppSessions.Where(a => a.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static (ulong, ulong) Key(byte[] hash) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash.AsSpan(8)));

    private sealed record Binding(byte[] TokenHash, string Host, Guid SessionId);
}
