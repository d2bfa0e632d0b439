using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Support;

/// <summary>
/// Support codes: <c>XXXX-XXXX-XXXX</c> (<see cref="HumanCode"/>, 60 bits), single use, for the agent of an ad-hoc
/// support session. Only the hash is stored. Consuming is one conditional UPDATE (<c>UsesLeft &gt; 0 AND ExpiresAt &gt;
/// now</c>) returning the session and account (<see cref="SingleUse"/>), so exactly one caller wins across threads, processes and nodes (architecture rule 2). A wrong guess touches
/// no row: nothing about it is tied to a real code, and no real code can be locked out by guessing. Rate limits belong
/// to the caller (the server's <c>SupportCodeLimiter</c>).
/// </summary>
public sealed class SupportCodeService(KeywardDatabase database, TimeProvider time)
{
    /// <summary>The hash purpose, so a support code's hash never matches another kind of code.</summary>
    public const string Purpose = "support-code";

    /// <summary>How long a spent or expired code's row is kept, so a replay still reads as consumed or expired.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(30);

    // One statement: the winner learns the session and account from the UPDATE itself.
    private static readonly SingleUse Consume = SingleUse.For(
        "support_codes", nameof(SupportCodeEntity.CodeHash), "\"SupportSessionId\", \"AccountId\"");

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Issues a code for a support session; returns it once (only its hash is stored), with its expiry.</summary>
    public async Task<(string Code, DateTimeOffset ExpiresAt)> IssueAsync(Guid supportSessionId, Guid accountId, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "A support code lifetime must be positive.");
        }

        var code = HumanCode.Generate();
        var now = Now;
        var expiresAt = now + (long)lifetime.TotalMilliseconds;
        await using var db = database.CreateContext();
        db.SupportCodes.Add(new SupportCodeEntity
        {
            Id = Guid.NewGuid(),
            TenantId = TenantScope.Of(accountId),
            CodeHash = HumanCode.Hash(Purpose, HumanCode.Normalize(code)!),
            SupportSessionId = supportSessionId,
            AccountId = accountId,
            UsesLeft = 1,
            ExpiresAt = expiresAt,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (code, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
    }

    /// <summary>Consumes a code: its support session for exactly one caller; a malformed code is refused without I/O.</summary>
    public async Task<SupportCodeRedemption> ConsumeAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (HumanCode.Normalize(code) is not { } normalized)
        {
            return new SupportCodeRedemption(null, null, SupportCodeFailure.Invalid);
        }

        var hash = HumanCode.Hash(Purpose, normalized);
        var (won, bound, usesLeft) = await Consume.RunAsync(database, hash, Now, static row => (Session: row.GetGuid(0), Account: row.GetGuid(1)), cancellationToken).ConfigureAwait(false);
        if (won)
        {
            return new SupportCodeRedemption(bound.Session, bound.Account, null);
        }

        return new SupportCodeRedemption(null, null, usesLeft is not { } left ? SupportCodeFailure.Invalid : left <= 0 ? SupportCodeFailure.Consumed : SupportCodeFailure.Expired);
    }

    /// <summary>Spends every unused code of a support session (it ended); returns how many.</summary>
    public async Task<int> RevokeForSessionAsync(Guid supportSessionId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.SupportCodes.Where(c => c.SupportSessionId == supportSessionId && c.UsesLeft > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsesLeft, 0), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes codes past expiry by more than <see cref="Retention"/>; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = Now - (long)Retention.TotalMilliseconds;
        await using var db = database.CreateContext();
        return await db.SupportCodes.Where(c => c.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
