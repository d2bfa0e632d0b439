using System.Net;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Keyward.Server.Handoff;
using Keyward.Server.Http;
using Keyward.Server.Proxy;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using RouteOptions = Keyward.Server.Proxy.RouteOptions;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Decides a WebSocket upgrade on a proxied route, before anything is accepted. One credential per upgrade, tried in
/// this order: a ticket (<c>?ticket=kwt_…</c>), the internal credential (<c>Authorization: Bearer kwn_…</c>), the app
/// cookie of a browser route's host (only where the route allows it, and only from the app's origin). Keyward's session
/// cookie never opens a socket: path routes on Keyward's origin take only tickets. Anything else is refused.
/// </summary>
internal sealed class UpgradeAuthorizer(
    WebSocketTicketService tickets, SessionService sessions, InternalCredential internalCredential,
    IAuthorizationService authorization, IOptions<KeywardOptions> keyward, KeywardHosts hosts)
{
    private const string InternalPrefix = "Bearer kwn_";

    public async Task<UpgradeDecision> AuthorizeAsync(HttpContext context, string routeId, RouteOptions route)
    {
        if (!route.WebSocket.Enabled)
        {
            return Refuse(KeywardErrors.WebSocketNotAllowed, null);
        }

        var request = context.Request;
        var ticket = request.Query[UpstreamConnector.TicketParameter];
        if (ticket.Count > 0)
        {
            return ticket.Count == 1 ? await TicketAsync(context, routeId, route, ticket[0]).ConfigureAwait(false) : Refuse(KeywardErrors.TicketInvalid, null);
        }

        var authorizationHeader = request.Headers.Authorization.ToString();
        if (authorizationHeader.StartsWith(InternalPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Internal(context, routeId, route, authorizationHeader["Bearer ".Length..].Trim());
        }

        if (context.Features.Get<RequestHost>() is { IsApp: true } host)
        {
            if (ExactCookie.Read(request, HandoffDefaults.AppCookieName) is { Value: not null } or { IsConflict: true })
            {
                return await CookieAsync(context, routeId, route, host).ConfigureAwait(false);
            }
        }
        else if (ExactCookie.Read(request, SessionAuthenticationDefaults.CookieName) is { Value: not null } or { IsConflict: true })
        {
            return Refuse(KeywardErrors.CookieUpgradeNotAllowed, null);
        }

        return Refuse(KeywardErrors.TicketRequired, null);
    }

    private async Task<UpgradeDecision> TicketAsync(HttpContext context, string routeId, RouteOptions route, string? presented)
    {
        var redacted = SecretToken.Redact(presented);

        // Consume first, atomically: whatever follows, this ticket has now been used.
        var redemption = await tickets.RedeemAsync(presented, context.RequestAborted).ConfigureAwait(false);
        if (redemption.Ticket is not { } ticket)
        {
            return new UpgradeDecision(null, KeywardErrors.From(redemption.Failure!.Value), redacted);
        }

        // A real ticket from here on: whatever refuses it is one audit event, never a count.
        if (!string.Equals(ticket.RouteId, routeId, StringComparison.Ordinal))
        {
            return Refuse(KeywardErrors.TicketWrongRoute, redacted) with { Known = true };
        }

        // Both normalized (the ticket's when it was issued), so https://host:443 and https://host are one origin.
        var origin = WebOrigin.Normalize(Origin(context.Request));
        if (origin is null || ticket.Origin is null || !string.Equals(origin, WebOrigin.Normalize(ticket.Origin), StringComparison.Ordinal)
            || !IsAllowedOrigin(route, origin))
        {
            return Refuse(KeywardErrors.OriginMismatch, redacted) with { Known = true };
        }

        var check = (await sessions.InspectAsync([ticket.SessionId], context.RequestAborted).ConfigureAwait(false))[ticket.SessionId];
        if (check.Session is not { } session || session.AccountId != ticket.AccountId)
        {
            return new UpgradeDecision(null, KeywardErrors.From(check.Failure ?? SessionFailure.Invalid), redacted, Known: true);
        }

        // The route's policy was met when the ticket was issued; a role removed since then (up to TicketLifetime) is refused here.
        if (SessionRequirement.Check(session, route.RequireUserVerification, route.Role) is { } refused)
        {
            return new UpgradeDecision(null, refused.Saying(TicketIssuer.RouteRequirementsNotMet), redacted, session.AccountName);
        }

        return new UpgradeDecision(new RelayIdentity(routeId, session, "ticket", ClientAddress(context)), null, redacted, session.AccountName);
    }

    private UpgradeDecision Internal(HttpContext context, string routeId, RouteOptions route, string presented)
    {
        // Where it comes from and where it goes are checked before the value, so a remote caller learns nothing of it.
        var redacted = SecretToken.Redact(presented);
        if (!IsLoopback(context.Connection.RemoteIpAddress))
        {
            return Refuse(KeywardErrors.InternalCredentialNotLoopback, redacted) with { Internal = true };
        }

        if (!route.Internal)
        {
            return Refuse(KeywardErrors.InternalCredentialWrongRoute, redacted) with { Internal = true };
        }

        if (!internalCredential.Verify(presented))
        {
            return Refuse(KeywardErrors.InternalCredentialInvalid, redacted) with { Internal = true };
        }

        return new UpgradeDecision(new RelayIdentity(routeId, null, "internal", ClientAddress(context)), null, redacted, "system", Internal: true);
    }

    private async Task<UpgradeDecision> CookieAsync(HttpContext context, string routeId, RouteOptions route, RequestHost host)
    {
        if (!route.WebSocket.AllowSessionCookie)
        {
            return Refuse(KeywardErrors.CookieUpgradeNotAllowed, null);
        }

        // The cookie alone: the session handler prefers a Bearer token, so with one present the session found would not be
        // the cookie's. A Bearer session is not an upgrade credential.
        if (context.Request.Headers.Authorization.Count > 0)
        {
            return Refuse(KeywardErrors.TicketRequired, null);
        }

        // The app's own origin (or the route's configured ones) only, so another site cannot ride the cookie (CSWSH).
        if (Origin(context.Request) is not { } origin || !IsAllowedOrigin(route, origin))
        {
            return Refuse(KeywardErrors.OriginMismatch, null);
        }

        // The session handler already ran (UseAuthentication comes first) and left the session or the failure code.
        if (context.Features.Get<SessionFeature>() is not { } feature)
        {
            return new UpgradeDecision(null, context.Features.Get<RefusalFeature>()?.Error ?? KeywardErrors.SessionInvalid, null);
        }

        var allowed = await authorization.AuthorizeAsync(context.User, context, AuthorizationPolicies.Route(routeId)).ConfigureAwait(false);
        if (!allowed.Succeeded)
        {
            return new UpgradeDecision(null, (KeywardFailureReason.Of(allowed.Failure) ?? KeywardErrors.Forbidden).Saying(TicketIssuer.RouteRequirementsNotMet), null, feature.Session.AccountName, Known: true);
        }

        return new UpgradeDecision(new RelayIdentity(routeId, feature.Session, "cookie", ClientAddress(context)), null, null, feature.Session.AccountName);
    }

    /// <summary>
    /// True when <paramref name="origin"/> may open sockets on the route. When none are configured: the app's own origin
    /// for a browser route, Keyward's own for a path route. Compared normalized (<see cref="WebOrigin"/>) on both sides.
    /// </summary>
    internal bool IsAllowedOrigin(RouteOptions route, string origin) =>
        WebOrigin.Normalize(origin) is { } normalized
        && route.WebSocket.EffectiveOrigins(route.Host is { } name && hosts.FindApp(name) is { } app ? app.Origin : keyward.Value.EffectiveOrigin)
            .Contains(normalized, StringComparer.Ordinal);

    internal static string? Origin(HttpRequest request) => request.Headers.Origin is [{ Length: > 0 } origin] ? origin : null;

    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string? ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    private static UpgradeDecision Refuse(KeywardError error, string? credential) => new(null, error, credential);
}
