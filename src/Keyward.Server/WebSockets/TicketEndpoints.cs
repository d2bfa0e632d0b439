using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Tickets;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// <c>POST /api/auth/ws-ticket {"route": "&lt;id&gt;"}</c> with a session: a single-use <c>kwt_</c> ticket bound to
/// the account, session, route and the request's Origin, for a browser's WebSocket upgrade (which cannot carry an
/// Authorization header).
/// </summary>
internal static class TicketEndpoints
{
    public const string Path = "/api/auth/ws-ticket";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, IssueAsync).RequireAuthorization(AuthorizationPolicies.Session);

    private static async Task<IResult> IssueAsync(
        [FromBody] TicketRequest? request, HttpContext context, [FromServices] WebSocketTicketService tickets,
        [FromServices] UpgradeAuthorizer authorizer, [FromServices] IAuthorizationService authorization,
        [FromServices] IOptions<KeywardOptions> keyward, IOptions<ProxyOptions> proxy, [FromServices] IOptions<WebSocketGateOptions> gate,
        [FromServices] IAuditLog audit, [FromServices] ILogger<WebSocketGate> logger, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var routeId = request?.Route ?? string.Empty;
        var origin = UpgradeAuthorizer.Origin(context.Request);
        KeywardError? refusal = null;
        if (!proxy.Value.Routes.TryGetValue(routeId, out var route))
        {
            refusal = KeywardErrors.RouteUnknown;
        }
        else if (!route.WebSocket.Enabled)
        {
            refusal = KeywardErrors.WebSocketNotAllowed;
        }
        else if (await authorization.AuthorizeAsync(context.User, context, AuthorizationPolicies.Route(routeId)).ConfigureAwait(false) is { Succeeded: false } denied)
        {
            refusal = KeywardFailureReason.Of(denied.Failure) ?? KeywardErrors.Forbidden;
        }
        else if (origin is null || !authorizer.IsAllowedOrigin(route, origin))
        {
            // Checked now as well as at the upgrade, so a ticket that could never be used is never issued.
            refusal = KeywardErrors.OriginMismatch;
        }

        var record = new AuditRecord
        {
            Actor = session.AccountName,
            Action = AuditActions.WebSocketTicketIssued,
            Target = routeId,
            Outcome = refusal is null ? AuditOutcomes.Success : AuditOutcomes.Denied,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Details = new Dictionary<string, string> { ["session_id"] = session.Id.ToString(), ["origin"] = origin ?? "(none)" },
        };
        if (refusal is not null)
        {
            record = record with { Details = new Dictionary<string, string>(record.Details) { ["code"] = refusal.Code } };
            await RecordQuietlyAsync(audit, record, logger).ConfigureAwait(false);
            return Problems.Result(refusal);
        }

        var (ticket, expiresAt) = await tickets.IssueAsync(session, routeId, origin, gate.Value.TicketLifetime, cancellationToken).ConfigureAwait(false);
        try
        {
            // Fail closed: a ticket that cannot be recorded is not handed out (its row alone opens nothing).
            await audit.RecordAsync(record with { Details = new Dictionary<string, string>(record.Details) { ["credential"] = SecretToken.Redact(ticket) } }, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            WebSocketLog.AuditFailed(logger, record.Action, e);
            var unavailable = KeywardErrors.AuditUnavailable;
            return Problems.Result(unavailable);
        }

        WebSocketLog.TicketIssued(logger, SecretToken.Redact(ticket), routeId);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new TicketResponse(ticket, expiresAt), WebSocketsJsonContext.Default.TicketResponse);
    }

    private static async Task RecordQuietlyAsync(IAuditLog audit, AuditRecord record, ILogger logger)
    {
        try
        {
            await audit.RecordAsync(record).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            WebSocketLog.AuditFailed(logger, record.Action, e);
        }
    }
}
