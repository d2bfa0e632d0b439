using System.Globalization;
using System.Threading.RateLimiting;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Keyward.Server.Sessions;

/// <summary>
/// The per-address limit on sign-in and registration (in memory per node; fixed one-minute windows). Every refusal
/// is audited as <c>rate_limit.hit</c> before the 429 goes out: the first per address and interval as one event, the
/// rest as a count (<see cref="RepeatedRefusals"/>).
/// </summary>
internal static class RateLimitPolicies
{
    public const string SignIn = "signin";

    public static void Configure(RateLimiterOptions limiter, SignInOptions options)
    {
        limiter.AddPolicy(SignIn, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PerAddressPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
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
