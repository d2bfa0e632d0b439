using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Issues WebSocket tickets as named steps: <see cref="CheckRouteAsync"/> (the route exists, takes sockets, admits this
/// session and this Origin) → <see cref="IssueAndRecordAsync"/> (the ticket, recorded before it is handed out). A
/// refusal is recorded here too (quietly: a refusal that cannot be recorded is still a refusal), so the returned
/// <see cref="Refusal"/> carries no audit action of its own.
/// </summary>
internal sealed class TicketIssuer(
    WebSocketTicketService tickets, UpgradeAuthorizer authorizer, IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator,
    IOptions<ProxyOptions> proxy, IOptions<WebSocketGateOptions> gate, IAuditLog audit, ILogger<WebSocketGate> logger)
{
    /// <summary>A ticket for the request's session on <paramref name="routeId"/>, bound to the request's Origin.</summary>
    public async Task<Outcome<TicketResponse>> IssueAsync(HttpContext context, SessionInfo session, string routeId, CancellationToken cancellationToken)
    {
        // Bound to the ticket normalized, as the upgrade compares it; an Origin that is not one gets no ticket.
        var origin = WebOrigin.Normalize(UpgradeAuthorizer.Origin(context.Request));
        var client = context.Connection.RemoteIpAddress?.ToString();
        if (await CheckRouteAsync(context, routeId, origin).ConfigureAwait(false) is { } refused)
        {
            await RecordQuietlyAsync(Record(session, routeId, client, AuditOutcomes.Denied, origin, "code", refused.Code)).ConfigureAwait(false);
            return new Refusal(refused, AuditAction: null);
        }

        return await IssueAndRecordAsync(session, routeId, origin!, client, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The routes that take sockets and whose policy admits the request's session (the Origin is checked per ticket).</summary>
    public async Task<IReadOnlyList<string>> RoutesForAsync(HttpContext context)
    {
        var routes = new List<string>();
        foreach (var (id, route) in proxy.Value.Routes.Where(r => r.Value.WebSocket.Enabled).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if ((await AuthorizeRouteAsync(context, id).ConfigureAwait(false)).Succeeded)
            {
                routes.Add(id);
            }
        }

        return routes;
    }

    /// <summary>Why this session may not have a ticket for the route from this Origin, or null when it may.</summary>
    internal async Task<KeywardError?> CheckRouteAsync(HttpContext context, string routeId, string? origin)
    {
        if (!proxy.Value.Routes.TryGetValue(routeId, out var route))
        {
            return KeywardErrors.RouteUnknown;
        }

        if (!route.WebSocket.Enabled)
        {
            return KeywardErrors.WebSocketNotAllowed;
        }

        if (await AuthorizeRouteAsync(context, routeId).ConfigureAwait(false) is { Succeeded: false } denied)
        {
            return (KeywardFailureReason.Of(denied.AuthorizationFailure) ?? KeywardErrors.Forbidden).Saying(RouteRequirementsNotMet);
        }

        // Checked now as well as at the upgrade, so a ticket that could never be used is never issued.
        return origin is null || !authorizer.IsAllowedOrigin(route, origin) ? KeywardErrors.OriginMismatch : null;
    }

    /// <summary>Makes the ticket and records it; fail closed: a ticket that cannot be recorded is not handed out.</summary>
    internal async Task<Outcome<TicketResponse>> IssueAndRecordAsync(SessionInfo session, string routeId, string origin, string? client, CancellationToken cancellationToken)
    {
        var (ticket, expiresAt) = await tickets.IssueAsync(session, routeId, origin, gate.Value.TicketLifetime, cancellationToken).ConfigureAwait(false);
        var redacted = SecretToken.Redact(ticket);
        try
        {
            // Its row alone opens nothing: without the record, nobody ever sees the ticket.
            await audit.RecordAsync(Record(session, routeId, client, AuditOutcomes.Success, origin, "credential", redacted), cancellationToken).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            WebSocketLog.AuditFailed(logger, AuditActions.WebSocketTicketIssued, e);
            return new Refusal(KeywardErrors.AuditUnavailable.Saying("The audit log is unavailable, so Keyward refuses the operation. Try again later."), AuditAction: null);
        }

        WebSocketLog.TicketIssued(logger, redacted, routeId);
        return new TicketResponse(ticket, expiresAt);
    }

    // One ws.ticket_issued record, built once its outcome is known (issue 15: no record built and then copied per mint):
    // the session, the Origin the ticket is bound to, and either the redacted credential or the refusal's code.
    private static AuditRecord Record(SessionInfo session, string routeId, string? client, string outcome, string? origin, string key, string value) => new()
    {
        Actor = session.AccountName,
        Action = AuditActions.WebSocketTicketIssued,
        Target = routeId,
        Outcome = outcome,
        ClientAddress = client,
        Details = new Dictionary<string, string>(3) { ["session_id"] = session.Id.ToString(), ["origin"] = origin ?? "(none)", [key] = value },
    };

    // The route's policy (role, user verification) for the request's session, by the policy evaluator the endpoints use
    // (SessionPolicyEvaluator: the session plane's rules decided directly, with ASP.NET Core's results; any other policy
    // goes to ASP.NET Core's evaluator), with the authentication result the request already has. Issue 15: the generic
    // IAuthorizationService built a handler context, its sets and a state machine per requirement on every mint.
    private async Task<PolicyAuthorizationResult> AuthorizeRouteAsync(HttpContext context, string routeId)
    {
        var policy = await policies.GetPolicyAsync(AuthorizationPolicies.Route(routeId)).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The route {routeId} has no policy.");
        var authenticated = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult ?? AuthenticateResult.NoResult();
        return await evaluator.AuthorizeAsync(policy, authenticated, context, context).ConfigureAwait(false);
    }

    private async Task RecordQuietlyAsync(AuditRecord record)
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

    /// <summary>The detail of a 403 for a route's requirements on the WebSocket paths (the code says which one).</summary>
    internal const string RouteRequirementsNotMet = "Your session does not meet this route's requirements (role or user verification).";
}
