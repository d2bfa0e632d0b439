using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Handoffs;

/// <summary>
/// Single-use handoff codes (<c>kwh_</c>): Keyward's origin mints one for a signed-in browser and one app host; that
/// host's callback redeems it. Only the hash is stored. Redemption is one conditional UPDATE (<c>UsesLeft &gt; 0 AND
/// ExpiresAt &gt; now</c>), so exactly one caller wins across threads, processes and nodes; the row is read afterwards.
/// </summary>
public sealed class HandoffService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How long a code lives.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>How long a spent or expired code's row is kept, so a replay still reads as consumed or expired.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Issues a code for <paramref name="session"/> and <paramref name="host"/>; returns it once. The caller has validated every argument.</summary>
    public async Task<string> IssueAsync(SessionInfo session, string host, string challenge, string returnPath, Guid? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(host);
        var code = SecretToken.Generate(CredentialKind.Handoff);
        var now = Now;
        await using var db = database.CreateContext();
        db.HandoffCodes.Add(new HandoffCodeEntity
        {
            Id = id ?? Guid.NewGuid(),
            TenantId = Tenants.Default,
            CodeHash = SecretToken.Hash(CredentialKind.Handoff, code),
            Host = host.ToLowerInvariant(),
            SessionId = session.Id,
            Challenge = challenge,
            ReturnPath = returnPath,
            UsesLeft = 1,
            ExpiresAt = now + (long)Lifetime.TotalMilliseconds,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>
    /// Consumes a code: its bindings for exactly one caller. A malformed code is refused without a database read. The
    /// caller still checks host, verifier and session: a code presented wrongly is spent.
    /// </summary>
    public async Task<HandoffRedemption> RedeemAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Handoff, code))
        {
            return new HandoffRedemption(null, HandoffFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.Handoff, code!);
        var now = Now;
        await using var db = database.CreateContext();

        // Architecture rule 2: single use is decided by the database, never by a read followed by a write.
        var consumed = await db.HandoffCodes
            .Where(h => h.CodeHash == hash && h.UsesLeft > 0 && h.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.UsesLeft, h => h.UsesLeft - 1), cancellationToken).ConfigureAwait(false);
        var row = await db.HandoffCodes.AsNoTracking().SingleOrDefaultAsync(h => h.CodeHash == hash, cancellationToken).ConfigureAwait(false);
        if (consumed == 1 && row is not null)
        {
            return new HandoffRedemption(new HandoffCode(row.Id, row.Host, row.SessionId, row.Challenge, row.ReturnPath), null);
        }

        return new HandoffRedemption(null, row is null ? HandoffFailure.Invalid : row.UsesLeft <= 0 ? HandoffFailure.Consumed : HandoffFailure.Expired);
    }

    /// <summary>Deletes codes past expiry by more than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = Now - (long)Retention.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.HandoffCodes.Where(h => h.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
