using Keyward.Server.Http;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Proxy;

/// <summary>
/// The first thing every request meets, after routing chose its endpoint. A <c>Host</c> that is not Keyward's own nor a
/// browser route's gets 421 (logged at debug and counted, not audited: anonymous probes must not flood the audit log).
/// Otherwise it sets the request's <see cref="RequestHost"/> and keeps each host to its own endpoints: Keyward's own
/// endpoints and path routes answer only on Keyward's host; on an app host every path belongs to that host's routes,
/// except <c>/.keyward/*</c>, which is Keyward's (the handoff callback). An endpoint on the wrong host is dropped, so
/// the request ends as a plain 404.
/// </summary>
internal sealed partial class HostGateMiddleware(RequestDelegate next, KeywardHosts hosts, KeywardMetrics metrics, ILogger<HostGateMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var host = hosts.Find(context.Request.Host.Value);
        if (host is null)
        {
            return RefuseAsync(context);
        }

        context.Features.Set(host);
        if (context.GetEndpoint() is { } endpoint && !Belongs(endpoint, host, context.Request.Path))
        {
            context.SetEndpoint(null);
        }

        return next(context);
    }

    private static bool Belongs(Endpoint endpoint, RequestHost host, PathString path)
    {
        if (endpoint.Metadata.GetMetadata<RouteModel>() is { } route)
        {
            var routeHosts = route.Config.Match.Hosts;
            return host.IsApp
                ? routeHosts is [var routeHost] && string.Equals(routeHost, host.Name, StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments(ReservedPrefix)
                : routeHosts is null or [];
        }

        return host.IsApp == (endpoint.Metadata.GetMetadata<AppHostEndpoint>() is not null);
    }

    private Task RefuseAsync(HttpContext context)
    {
        metrics.HostsRefused.Add(1);
        var value = context.Request.Host.Value ?? string.Empty;
        HostRefused(logger, value.Length <= 100 ? value : value[..100]);
        return Problems.WriteAsync(context, KeywardErrors.HostUnknown);
    }

    /// <summary>The path prefix Keyward keeps for itself on app hosts.</summary>
    public static readonly PathString ReservedPrefix = new("/.keyward");

    [LoggerMessage(KeywardEventIds.HostRefused, LogLevel.Debug, "Request for unknown host {Host} refused.")]
    private static partial void HostRefused(ILogger logger, string host);
}
