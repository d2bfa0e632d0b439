using System.Diagnostics.Metrics;

namespace Keyward.Server.Http;

/// <summary>
/// The metrics listener's one endpoint, <c>GET /metrics</c>: this host's meters (<c>Keyward</c>, ASP.NET Core's and
/// Kestrel's) in Prometheus text format (<see cref="PrometheusText"/>). Only instruments created by this host's
/// <see cref="IMeterFactory"/> are read, so several Keyward hosts in one process (the tests) each report their own.
/// </summary>
internal sealed class MetricsListener(IMeterFactory meters) : IDisposable
{
    private readonly PrometheusText _text = new(meters);

    /// <summary>Marks connections accepted on the metrics listener (a Kestrel connection feature, seen by every request on them).</summary>
    public sealed class Connection
    {
        /// <summary>The one instance.</summary>
        public static readonly Connection Instance = new();
    }

    /// <summary>Answers a request that arrived on the metrics listener.</summary>
    public async Task ServeAsync(HttpContext context)
    {
        // Only by address or localhost: a page a browser on this machine loaded from a name that an attacker re-pointed
        // at 127.0.0.1 (DNS rebinding) sends that name, and gets 421 instead of the metrics (found by review).
        var host = context.Request.Host.Host;
        if (host != "localhost" && !System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            await Problems.WriteAsync(context, KeywardErrors.HostUnknown.Saying("The metrics listener answers only requests addressed to an IP address or localhost.")).ConfigureAwait(false);
            return;
        }

        if (context.Request.Path != "/metrics")
        {
            await Problems.WriteAsync(context, KeywardErrors.NotFound).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            await Problems.WriteAsync(context, KeywardErrors.MethodNotAllowed).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.WriteAsync(_text.Collect(), context.RequestAborted).ConfigureAwait(false);
    }

    public void Dispose() => _text.Dispose();
}
