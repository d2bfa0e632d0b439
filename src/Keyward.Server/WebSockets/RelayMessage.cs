using System.Buffers;
using System.Net.WebSockets;

namespace Keyward.Server.WebSockets;

/// <summary>One whole message in flight between the legs, in a pooled buffer that the sender returns.</summary>
internal readonly record struct RelayMessage(byte[] Buffer, int Count, WebSocketMessageType Type)
{
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Count);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
