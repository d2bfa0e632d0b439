using System.Net.WebSockets;

namespace Keyward.Agent.Runtime;

/// <summary>One frame waiting in the send queue. A <paramref name="Pooled"/> frame's buffer is rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> and returned once sent.</summary>
internal readonly record struct OutgoingFrame(WebSocketMessageType Type, byte[] Data, int Length, bool Pooled = false);
