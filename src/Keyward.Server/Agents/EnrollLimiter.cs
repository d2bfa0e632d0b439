using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// Enrollment attempts per client address (<see cref="AgentOptions.EnrollPerAddressPerMinute"/>, fixed one-minute
/// windows, in memory per node), checked before the token is looked at: a wrong guess costs the guesser its budget.
/// </summary>
internal sealed class EnrollLimiter(IOptions<AgentOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.EnrollPerAddressPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string address)
    {
        using var lease = _limiter.AttemptAcquire(address);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
