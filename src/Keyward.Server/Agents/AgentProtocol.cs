using System.Net.WebSockets;

namespace Keyward.Server.Agents;

/// <summary>The agent socket's protocol, <c>keyward-agent.v1</c> (docs/remote-support.md, "The agent socket").</summary>
internal static class AgentProtocol
{
    /// <summary>The WebSocket subprotocol an agent must offer.</summary>
    public const string SubProtocol = "keyward-agent.v1";

    /// <summary>The header an agent reports its version in (informational only).</summary>
    public const string VersionHeader = "Keyward-Agent-Version";

    /// <summary>The largest text frame.</summary>
    public const int MaxTextBytes = 16 * 1024;

    /// <summary>The stream id in front of every binary frame.</summary>
    public const int StreamHeaderBytes = 4;

    /// <summary>An agent silent for this many heartbeats is closed with <see cref="HeartbeatMissed"/>.</summary>
    public const int MissedHeartbeats = 3;

    /// <summary>The key was revoked or the machine deleted: reconnects are refused.</summary>
    public const WebSocketCloseStatus KeyRevoked = (WebSocketCloseStatus)4401;

    /// <summary>No heartbeat for <see cref="MissedHeartbeats"/> intervals.</summary>
    public const WebSocketCloseStatus HeartbeatMissed = (WebSocketCloseStatus)4408;

    /// <summary>A newer connection of the same machine replaced this one.</summary>
    public const WebSocketCloseStatus Replaced = (WebSocketCloseStatus)4409;

    /// <summary>RFC 6455 §7.4.1: a frame larger than the limit.</summary>
    public const WebSocketCloseStatus TooBig = WebSocketCloseStatus.MessageTooBig;

    /// <summary>RFC 6455 §7.4.1: a message the protocol does not allow.</summary>
    public const WebSocketCloseStatus Violation = WebSocketCloseStatus.PolicyViolation;

    /// <summary>The codes an agent may answer <c>open</c> with.</summary>
    public const string PortNotAllowed = "port_not_allowed";
}
