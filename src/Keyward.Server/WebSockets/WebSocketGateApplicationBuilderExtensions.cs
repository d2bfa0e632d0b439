using Keyward.Server.WebSockets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts the WebSocket gate into the pipeline and maps its ticket endpoint.</summary>
internal static class WebSocketGateApplicationBuilderExtensions
{
    /// <summary>Between UseAuthentication and UseAuthorization: every upgrade to a proxied route goes through the gate.</summary>
    public static IApplicationBuilder UseKeywardWebSockets(this IApplicationBuilder app) =>
        app.UseWebSockets().UseMiddleware<WebSocketGateMiddleware>();

    /// <summary>Maps POST /api/auth/ws-ticket and GET /api/auth/ws-routes.</summary>
    public static IEndpointRouteBuilder MapKeywardWebSocketTickets(this IEndpointRouteBuilder endpoints)
    {
        TicketEndpoints.Map(endpoints);
        TicketEndpoints.MapRoutes(endpoints);
        return endpoints;
    }
}
