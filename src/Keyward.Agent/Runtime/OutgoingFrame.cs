using System.Net.WebSockets;

namespace Keyward.Agent.Runtime;

/// <summary>One frame waiting in the send queue.</summary>
internal readonly record struct OutgoingFrame(WebSocketMessageType Type, byte[] Data, int Length);
