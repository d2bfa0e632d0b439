using Keyward.Server.Http;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Takes every WebSocket upgrade aimed at a proxied route away from YARP, which would pass it through unchecked, and
/// hands it to the <see cref="WebSocketGate"/>. Runs after authentication (so a cookie upgrade finds its session) and
/// before authorization (so a ticketed upgrade, which carries no session, is not challenged for one).
/// </summary>
internal sealed class WebSocketGateMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var upgrade = context.WebSockets.IsWebSocketRequest ? Upgrade.WebSocket : IsOtherUpgrade(context) ? Upgrade.Other : Upgrade.None;
        if (upgrade == Upgrade.None || context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route)
        {
            // Not an upgrade, or not to a proxied route (nothing else in Keyward accepts one).
            return next(context);
        }

        // Resolved per upgrade, so hosts that never see one need none of the gate's services.
        var gate = context.RequestServices.GetRequiredService<WebSocketGate>();
        return upgrade == Upgrade.WebSocket
            ? gate.HandleAsync(context, route.Config.RouteId)

            // YARP would tunnel other upgrades (SPDY) as opaque streams, out of reach of revocation and bounds.
            : gate.RefuseAsync(context, KeywardErrors.UpgradeNotAllowed);
    }

    /// <summary>An HTTP/1.1 upgrade to anything but WebSocket; h2c is left alone (Kestrel ignores it, YARP never tunnels it).</summary>
    private static bool IsOtherUpgrade(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
        && !string.Equals(context.Request.Headers.Upgrade.ToString(), "h2c", StringComparison.OrdinalIgnoreCase);

    private enum Upgrade
    {
        None,
        WebSocket,
        Other,
    }
}
