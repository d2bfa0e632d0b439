using Keyward.Server.Http;

namespace Keyward.Server.WebSockets;

/// <summary>Diagnostic logs of the WebSocket gate (event ids 4000–4099). Never a credential: at most its first 8 characters.</summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(KeywardEventIds.WebSocketUpgradeRefused, LogLevel.Information, "WebSocket upgrade to route {RouteId} refused: {Code}.")]
    public static partial void UpgradeRefused(ILogger logger, string routeId, string code);

    [LoggerMessage(KeywardEventIds.WebSocketOpened, LogLevel.Information, "WebSocket {ConnectionId} opened on route {RouteId} via {Via}.")]
    public static partial void Opened(ILogger logger, Guid connectionId, string routeId, string via);

    [LoggerMessage(KeywardEventIds.WebSocketClosed, LogLevel.Information, "WebSocket {ConnectionId} on route {RouteId} closed with {Code} ({Cause}) after {Seconds:0.0} s.")]
    public static partial void Closed(ILogger logger, Guid connectionId, string routeId, int code, string cause, double seconds);

    [LoggerMessage(KeywardEventIds.WebSocketUpstreamFailed, LogLevel.Warning, "The upstream of route {RouteId} did not accept the WebSocket: {Failure}.")]
    public static partial void UpstreamFailed(ILogger logger, string routeId, string failure);

    [LoggerMessage(KeywardEventIds.WebSocketAuditFailed, LogLevel.Error, "Could not record {Action} in the audit log.")]
    public static partial void AuditFailed(ILogger logger, string action, Exception exception);

    [LoggerMessage(KeywardEventIds.WebSocketSweepFailed, LogLevel.Warning, "The WebSocket sweep failed; it runs again at the next interval.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(KeywardEventIds.WebSocketSessionLookupFailed, LogLevel.Warning, "Could not read why a session ended; closing its sockets with a generic reason.")]
    public static partial void SessionLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(KeywardEventIds.WebSocketTicketIssued, LogLevel.Information, "WebSocket ticket {Ticket} issued for route {RouteId}.")]
    public static partial void TicketIssued(ILogger logger, string ticket, string routeId);
}
