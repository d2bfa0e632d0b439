using System.Threading.RateLimiting;
using Keyward.Server.Limits;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// Enrollment attempts per client address (<see cref="AgentOptions.EnrollPerAddressPerMinute"/>, fixed one-minute
/// windows), checked before the token is looked at: a wrong guess costs the guesser its budget. On one node (SQLite) the
/// windows are this process's; on PostgreSQL (<see cref="IClusterCounters.Shared"/>) this node's window is checked first
/// (a flood it already refuses costs the database nothing) and then the cluster's, so N nodes allow no more attempts per
/// address than one (issue 13, item 4); when the shared count cannot be read, the attempt is refused (503
/// <c>storage_busy</c>).
/// </summary>
internal sealed class EnrollLimiter(IOptions<AgentOptions> options, IClusterCounters counters) : IDisposable
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

    /// <summary><see cref="TryAcquire"/>, then (PostgreSQL) the cluster's count for the address in this minute.</summary>
    public async ValueTask<TimeSpan?> TryAcquireAsync(string address, CancellationToken cancellationToken = default)
    {
        var wait = TryAcquire(address);
        if (wait is not null || !counters.Shared)
        {
            return wait;
        }

        var made = await counters.AddAsync(CounterKey.Hashed("enroll", address), 1, TimeSpan.FromMinutes(1), cancellationToken: cancellationToken).ConfigureAwait(false);
        return made.Total <= options.Value.EnrollPerAddressPerMinute ? null : made.Left;
    }

    public void Dispose() => _limiter.Dispose();
}
