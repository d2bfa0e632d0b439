using System.Net.WebSockets;
using Keyward.Core.Sessions;

namespace Keyward.Server.WebSockets;

/// <summary>Close codes and reasons Keyward sends on a relayed socket (RFC 6455 §7.4; 4000–4999 are for applications).</summary>
internal static class CloseCodes
{
    /// <summary>The session ended or the socket outlived its route's MaxLifetime: authenticate again (like HTTP 401).</summary>
    public const WebSocketCloseStatus Reauthenticate = (WebSocketCloseStatus)4401;

    /// <summary>The session no longer meets the route's requirements (a role removed): like HTTP 403, reconnecting will not help.</summary>
    public const WebSocketCloseStatus Forbidden = (WebSocketCloseStatus)4403;

    /// <summary>RFC 6455 §7.4.1: 1009, a message too big to process.</summary>
    public const WebSocketCloseStatus TooBig = WebSocketCloseStatus.MessageTooBig;

    /// <summary>RFC 6455 §7.4.1: 1008, a policy violation (here: the message rate).</summary>
    public const WebSocketCloseStatus Policy = WebSocketCloseStatus.PolicyViolation;

    /// <summary>RFC 6455 §7.4.1: 1001, going away (the other leg ended).</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>The reason for a socket closed because its session ended: <c>session ended: logged_out</c>.</summary>
    public static string SessionEnded(SessionFailure failure) => "session ended: " + SessionFailures.Code(failure)["session_".Length..];

    /// <summary>The reason for a socket whose session no longer meets its route's requirements: <c>route requirements not met: role_required</c>.</summary>
    public static string RouteRequirementsNotMet(string code) => "route requirements not met: " + code;

    /// <summary>The reason for a socket whose session's account is no longer the one it was opened for (renamed).</summary>
    public const string AccountChanged = "session ended: account_changed";

    /// <summary>The reason for a socket past its route's MaxLifetime.</summary>
    public const string ReauthorizationRequired = "reauthorization required";
}
