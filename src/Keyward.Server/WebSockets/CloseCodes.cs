using System.Net.WebSockets;
using Keyward.Core.Sessions;

namespace Keyward.Server.WebSockets;

/// <summary>Close codes and reasons Keyward sends on a relayed socket (RFC 6455 §7.4; 4000–4999 are for applications).</summary>
internal static class CloseCodes
{
    /// <summary>The session ended or the socket outlived its route's MaxLifetime: authenticate again (like HTTP 401).</summary>
    public const WebSocketCloseStatus Reauthenticate = (WebSocketCloseStatus)4401;

    /// <summary>RFC 6455 §7.4.1: 1009, a message too big to process.</summary>
    public const WebSocketCloseStatus TooBig = WebSocketCloseStatus.MessageTooBig;

    /// <summary>RFC 6455 §7.4.1: 1008, a policy violation (here: the message rate).</summary>
    public const WebSocketCloseStatus Policy = WebSocketCloseStatus.PolicyViolation;

    /// <summary>RFC 6455 §7.4.1: 1001, going away (the other leg ended).</summary>
    public const WebSocketCloseStatus GoingAway = WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>The reason for a socket closed because its session ended: <c>session ended: logged_out</c>.</summary>
    public static string SessionEnded(SessionFailure failure) => "session ended: " + SessionFailures.Code(failure)["session_".Length..];

    /// <summary>The reason for a socket past its route's MaxLifetime.</summary>
    public const string ReauthorizationRequired = "reauthorization required";
}
