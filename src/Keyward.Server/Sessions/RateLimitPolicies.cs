using System.Globalization;
using System.Threading.RateLimiting;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Keyward.Server.Sessions;

/// <summary>
/// The per-address limit on sign-in and registration (in memory per node; fixed one-minute windows). Every refusal
/// is audited as <c>rate_limit.hit</c> before the 429 goes out.
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
            var audit = context.HttpContext.RequestServices.GetRequiredService<IAuditLog>();
            await audit.RecordAsync(context.HttpContext, AuditActions.RateLimited, AuditOutcomes.Denied, "signin.address", details: AuditTrail.PathDetail(context.HttpContext)).ConfigureAwait(false);
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context.HttpContext, KeywardErrors.RateLimited.Saying("Too many sign-in attempts from this address. Wait and try again.")).ConfigureAwait(false);
        };
    }
}
