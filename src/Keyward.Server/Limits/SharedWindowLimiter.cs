using System.Threading.RateLimiting;
using Keyward.Server.Http;

namespace Keyward.Server.Limits;

/// <summary>
/// A fixed one-minute window per partition (a client address, hashed in the key) that holds across the cluster (issue 13, item 4), for ASP.NET's rate-limiting
/// middleware: this node's own window (<paramref name="local"/>) is asked first, so a flood it already refuses costs the
/// database nothing; then the cluster's count for the key and minute. The synchronous attempt never counts (it cannot
/// reach the database), so the middleware goes on to <see cref="AcquireAsyncCore"/>. When the shared count cannot be
/// read, this node's window decides (sign-in needs the database anyway; a blip must not lock everybody out).
/// </summary>
internal sealed class SharedWindowLimiter(string name, string partition, int permits, IClusterCounters counters, RateLimiter local, ILogger logger) : RateLimiter
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public override TimeSpan? IdleDuration => local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused(null);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var own = local.AttemptAcquire(permitCount);
        if (!own.IsAcquired || permitCount == 0)
        {
            return own;
        }

        own.Dispose();
        try
        {
            var made = await counters.AddAsync(CounterKey.Hashed(name, partition), permitCount, Minute, cancellationToken: cancellationToken).ConfigureAwait(false);
            return made.Total <= permits ? Lease.Acquired : Lease.Refused(made.Left);
        }
        catch (ClusterCountersUnavailableException e)
        {
            LimitsLog.FellBack(logger, e);
            return Lease.Acquired;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            local.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public static Lease Refused(TimeSpan? retryAfter) => new(false, retryAfter);

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
