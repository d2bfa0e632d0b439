using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.WebSockets;

/// <summary>
/// <c>POST /api/auth/ws-ticket {"route": "&lt;id&gt;"}</c> with a session: a single-use <c>kwt_</c> ticket bound to
/// the account, session, route and the request's Origin, for a browser's WebSocket upgrade (which cannot carry an
/// Authorization header). <see cref="TicketIssuer"/> decides and records.
/// </summary>
internal static class TicketEndpoints
{
    public const string Path = "/api/auth/ws-ticket";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, IssueAsync).RequireAuthorization(AuthorizationPolicies.Session).Produces<TicketResponse>().Refuses(
            KeywardErrors.RouteUnknown, KeywardErrors.WebSocketNotAllowed, KeywardErrors.OriginMismatch, KeywardErrors.Forbidden,
            KeywardErrors.RoleRequired, KeywardErrors.UserVerificationRequired);

    /// <summary>GET /api/auth/ws-routes: where this session may open a socket.</summary>
    public static void MapRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/api/auth/ws-routes", async (HttpContext context, [FromServices] TicketIssuer issuer) =>
            Results.Json(new SocketRoutesResponse(await issuer.RoutesForAsync(context).ConfigureAwait(false)), WebSocketsJsonContext.Relaxed.SocketRoutesResponse))
            .RequireAuthorization(AuthorizationPolicies.Session).Produces<SocketRoutesResponse>();

    private static async Task<IResult> IssueAsync([FromBody] TicketRequest? request, HttpContext context, [FromServices] TicketIssuer issuer, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await issuer.IssueAsync(context, session, request?.Route ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (outcome.Refused)
        {
            return Problems.Result(outcome.Refusal.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(outcome.Value, WebSocketsJsonContext.Relaxed.TicketResponse);
    }
}
