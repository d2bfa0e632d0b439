using Keyward.Core.Sessions;
using Keyward.Core.Tickets;

namespace Keyward.Server.WebSockets;

/// <summary>Why the gate refused an upgrade or a ticket. Every one is answered with problem+json, never a 101.</summary>
internal enum GateError
{
    WebSocketNotAllowed = 1,
    UpgradeNotAllowed,
    RouteUnknown,
    TicketRequired,
    TicketInvalid,
    TicketExpired,
    TicketConsumed,
    TicketWrongRoute,
    OriginMismatch,
    CookieUpgradeNotAllowed,
    InternalCredentialInvalid,
    InternalCredentialNotLoopback,
    InternalCredentialWrongRoute,
    UpstreamUnavailable,
    AuditUnavailable,
    SubProtocolInvalid,
}

/// <summary>A refusal as sent: status, stable code, plain message.</summary>
/// <param name="Status">The HTTP status (4xx, or 502/503 when something behind Keyward failed).</param>
/// <param name="Code">The stable <c>code</c>.</param>
/// <param name="Detail">The plain message; never a secret.</param>
internal sealed record GateRefusal(int Status, string Code, string Detail);

/// <summary>The one message table of the gate.</summary>
internal static class GateErrors
{
    public static GateRefusal Refusal(GateError error) => error switch
    {
        GateError.WebSocketNotAllowed => new(403, "websocket_not_allowed", "This route does not accept WebSocket connections (Keyward:Routes:<id>:WebSocket:Enabled is off)."),
        GateError.UpgradeNotAllowed => new(403, "upgrade_not_allowed", "Keyward relays only WebSocket upgrades; other protocol upgrades are never passed through."),
        GateError.RouteUnknown => new(404, "route_unknown", "No route has that id."),
        GateError.TicketRequired => new(401, "ticket_required", "Open the socket with a ticket: POST /api/auth/ws-ticket {\"route\": \"<id>\"}, then connect with ?ticket=kwt_…"),
        GateError.TicketInvalid => new(401, TicketFailures.Code(TicketFailure.Invalid), TicketFailures.Message(TicketFailure.Invalid)),
        GateError.TicketExpired => new(401, TicketFailures.Code(TicketFailure.Expired), TicketFailures.Message(TicketFailure.Expired)),
        GateError.TicketConsumed => new(401, TicketFailures.Code(TicketFailure.Consumed), TicketFailures.Message(TicketFailure.Consumed)),
        GateError.TicketWrongRoute => new(403, "ticket_wrong_route", "The ticket was issued for another route."),
        GateError.OriginMismatch => new(403, "origin_mismatch", "The Origin of this request is not the one the ticket was issued to, or not allowed on this route."),
        GateError.CookieUpgradeNotAllowed => new(403, "cookie_upgrade_not_allowed", "This route does not accept the session cookie on a WebSocket upgrade; use a ticket (POST /api/auth/ws-ticket)."),
        GateError.InternalCredentialInvalid => new(401, "internal_credential_invalid", "The internal credential is not valid."),
        GateError.InternalCredentialNotLoopback => new(403, "internal_credential_not_loopback", "The internal credential is accepted only from loopback."),
        GateError.InternalCredentialWrongRoute => new(403, "internal_credential_wrong_route", "The internal credential is accepted only on routes marked Internal."),
        GateError.UpstreamUnavailable => new(502, "upstream_unavailable", "The service behind this route did not accept the WebSocket connection."),
        GateError.AuditUnavailable => new(503, "audit_unavailable", "The audit log is unavailable, so Keyward refuses the operation. Try again later."),
        GateError.SubProtocolInvalid => new(400, "subprotocol_invalid", "Sec-WebSocket-Protocol must list at most 16 distinct protocol names, each an HTTP token (RFC 6455 §4.1)."),
        _ => throw new ArgumentOutOfRangeException(nameof(error)),
    };

    public static GateRefusal From(TicketFailure failure) => failure switch
    {
        TicketFailure.Expired => Refusal(GateError.TicketExpired),
        TicketFailure.Consumed => Refusal(GateError.TicketConsumed),
        _ => Refusal(GateError.TicketInvalid),
    };

    public static GateRefusal From(SessionFailure failure) => new(401, SessionFailures.Code(failure), SessionFailures.Message(failure));
}
