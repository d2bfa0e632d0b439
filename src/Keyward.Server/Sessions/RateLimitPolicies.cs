using System.Globalization;
using System.Threading.RateLimiting;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Limits;
using Microsoft.AspNetCore.RateLimiting;

namespace Keyward.Server.Sessions;

/// <summary>
/// The per-address limit on sign-in and registration (fixed one-minute windows): in memory on one node (SQLite); on
/// PostgreSQL this node's window and then the cluster's (<see cref="SharedWindowLimiter"/>), so N nodes allow no more
/// than one (issue 13, item 4). Every refusal
/// is audited as <c>rate_limit.hit</c> before the 429 goes out: the first per address and interval as one event, the
/// rest as a count (<see cref="RepeatedRefusals"/>).
/// </summary>
internal static class RateLimitPolicies
{
    public const string SignIn = "signin";

    public static void Configure(RateLimiterOptions limiter, SignInOptions options, IClusterCounters counters, ILogger logger)
    {
        FixedWindowRateLimiterOptions Window() => new() { PermitLimit = options.PerAddressPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
        limiter.AddPolicy(SignIn, context => counters.Shared
            ? RateLimitPartition.Get(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                address => new SharedWindowLimiter("signin.address", address, options.PerAddressPerMinute, counters, new FixedWindowRateLimiter(Window()), logger))
            : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => Window()));
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            // Once per address and interval, then a count (docs/audit.md, "Repeated refusals").
            const string Limit = "signin.address";
            var repeats = context.HttpContext.RequestServices.GetRequiredService<RepeatedRefusals>();
            var record = AuditTrail.For(context.HttpContext, AuditActions.RateLimited, AuditOutcomes.Denied, Limit, details: AuditTrail.PathDetail(context.HttpContext));
            await repeats.RecordAsync(Limit, context.HttpContext.Connection.RemoteIpAddress, record).ConfigureAwait(false);
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context.HttpContext, KeywardErrors.RateLimited.Saying("Too many sign-in attempts from this address. Wait and try again.")).ConfigureAwait(false);
        };
    }
}
