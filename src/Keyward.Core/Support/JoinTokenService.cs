using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Support;

/// <summary>
/// Join tokens (<c>kwj_</c>): single use, bound to a support session, an account and the login session that minted
/// them. Only the hash is stored. Redemption is one conditional UPDATE (<c>UsesLeft &gt; 0 AND ExpiresAt &gt; now AND
/// RevokedAt IS NULL</c>), so exactly one caller wins; the row is read only afterwards to say why the others lost
/// (expired, consumed, revoked: distinct). The caller still checks the support session: a token presented for another
/// is spent.
/// </summary>
public sealed class JoinTokenService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>How long a spent, revoked or expired token's row is kept, so a replay still reads as such.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(30);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Mints a token; returns it once, with its row id and expiry. A caller that must name the token before it exists
    /// (to audit it first) passes <paramref name="id"/>.
    /// </summary>
    public async Task<(string Token, Guid Id, DateTimeOffset ExpiresAt)> MintAsync(
        Guid supportSessionId, Guid accountId, Guid loginSessionId, TimeSpan lifetime, Guid? id = null, CancellationToken cancellationToken = default)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "A join token lifetime must be positive.");
        }

        var token = SecretToken.Generate(CredentialKind.Join);
        var now = Now;
        var expiresAt = now + (long)lifetime.TotalMilliseconds;
        var rowId = id ?? Guid.NewGuid();
        await using var db = database.CreateContext();
        db.JoinTokens.Add(new JoinTokenEntity
        {
            Id = rowId,
            TenantId = TenantScope.Of(accountId),
            TokenHash = SecretToken.Hash(CredentialKind.Join, token),
            SupportSessionId = supportSessionId,
            AccountId = accountId,
            LoginSessionId = loginSessionId,
            UsesLeft = 1,
            ExpiresAt = expiresAt,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (token, rowId, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
    }

    /// <summary>
    /// How many of the tokens that a login session minted for a support session could still be redeemed (not used,
    /// revoked or expired): what the mint cap counts, so a caller cannot fill the table with live bearer tokens.
    /// </summary>
    public async Task<int> CountUnusedAsync(Guid supportSessionId, Guid loginSessionId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        return await db.JoinTokens.CountAsync(
            j => j.SupportSessionId == supportSessionId && j.LoginSessionId == loginSessionId && j.UsesLeft > 0 && j.RevokedAt == null && j.ExpiresAt > now,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Consumes a token: what it is bound to, for exactly one caller. A malformed token costs no database read.</summary>
    public async Task<JoinRedemption> RedeemAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Join, token))
        {
            return new JoinRedemption(null, JoinFailure.Invalid);
        }

        var hash = SecretToken.Hash(CredentialKind.Join, token!);
        var now = Now;
        await using var db = database.CreateContext();

        // Architecture rule 2: single use is decided by the database, never by a read followed by a write.
        var consumed = await db.JoinTokens
            .Where(t => t.TokenHash == hash && t.UsesLeft > 0 && t.ExpiresAt > now && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsesLeft, t => t.UsesLeft - 1), cancellationToken).ConfigureAwait(false);
        var row = await db.JoinTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken).ConfigureAwait(false);
        if (consumed == 1 && row is not null)
        {
            return new JoinRedemption(new JoinToken(row.Id, row.SupportSessionId, row.AccountId, row.LoginSessionId, DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt)), null);
        }

        var failure = row is null ? JoinFailure.Invalid
            : row.RevokedAt is not null ? JoinFailure.Revoked
            : row.UsesLeft <= 0 ? JoinFailure.Consumed
            : JoinFailure.Expired;
        return new JoinRedemption(null, failure);
    }

    /// <summary>Revokes every live token a login session minted (logout, revocation); returns how many.</summary>
    public Task<int> RevokeForLoginSessionAsync(Guid loginSessionId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(t => t.LoginSessionId == loginSessionId, cancellationToken);

    /// <summary>Revokes every live token of a support session (it ended); returns how many.</summary>
    public Task<int> RevokeForSupportSessionAsync(Guid supportSessionId, CancellationToken cancellationToken = default) =>
        RevokeWhereAsync(t => t.SupportSessionId == supportSessionId, cancellationToken);

    /// <summary>Deletes tokens past expiry by more than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = Now - (long)Retention.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.JoinTokens.Where(t => t.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RevokeWhereAsync(System.Linq.Expressions.Expression<Func<JoinTokenEntity, bool>> match, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var db = database.CreateContext();

        // Unspent and unexpired ones only: a used or expired token is refused as such already, and keeps saying so.
        return await db.JoinTokens.Where(match).Where(t => t.RevokedAt == null && t.UsesLeft > 0 && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken).ConfigureAwait(false);
    }
}
