using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Sessions;

/// <summary>
/// Sign-in attempts per account (fixed one-minute windows, in memory per node). The per-address limit is the
/// ASP.NET Core rate limiter policy <c>signin</c>; this one stops an attacker who spreads over many addresses
/// from hammering one account.
/// </summary>
internal sealed class SignInLimiter(IOptions<SignInOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.PerAccountPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Takes one attempt for an account; false with the wait when over the limit.</summary>
    public bool TryAcquire(string account, out TimeSpan retryAfter)
    {
        using var lease = _perAccount.AttemptAcquire(account.ToUpperInvariant());
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        return lease.IsAcquired;
    }

    public void Dispose() => _perAccount.Dispose();
}
