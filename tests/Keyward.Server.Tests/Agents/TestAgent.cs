using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyward.Server.Tests.Agents;

/// <summary>A raw agent speaking <c>keyward-agent.v1</c> over a <see cref="ClientWebSocket"/>, for the server's tests.</summary>
internal sealed class TestAgent(ClientWebSocket socket) : IDisposable
{
    /// <summary>Generous: the bound on waiting for something that must happen, never a timing assertion.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Queue<byte[]> _binary = new();

    public ClientWebSocket Socket { get; } = socket;

    public JsonObject Hello { get; private set; } = null!;

    public async Task ReadHelloAsync()
    {
        Hello = await ReadJsonAsync();
        Assert.Equal("hello", (string?)Hello["type"]);
    }

    /// <summary>The next text message (binary frames that come first are kept for <see cref="ReadBinaryAsync"/>).</summary>
    public async Task<JsonObject> ReadJsonAsync()
    {
        while (true)
        {
            var (type, data) = await ReadAsync();
            Assert.NotEqual(WebSocketMessageType.Close, type);
            if (type == WebSocketMessageType.Text)
            {
                return JsonNode.Parse(data)!.AsObject();
            }

            _binary.Enqueue(data);
        }
    }

    /// <summary>The next binary frame: its stream id and payload.</summary>
    public async Task<(uint Stream, byte[] Payload)> ReadBinaryAsync()
    {
        var data = _binary.Count > 0 ? _binary.Dequeue() : null;
        while (data is null)
        {
            var (type, frame) = await ReadAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            data = frame;
        }

        return (BinaryPrimitives.ReadUInt32BigEndian(data), data[4..]);
    }

    /// <summary>Reads until Keyward closes the socket; its close status. Fails if it does not within <see cref="Patience"/>.</summary>
    public async Task<(int? Status, string? Reason)> ReadCloseAsync()
    {
        try
        {
            while (true)
            {
                var (type, _) = await ReadAsync();
                if (type == WebSocketMessageType.Close)
                {
                    return ((int?)Socket.CloseStatus, Socket.CloseStatusDescription);
                }
            }
        }
        catch (WebSocketException)
        {
            return ((int?)Socket.CloseStatus, Socket.CloseStatusDescription);
        }
    }

    public Task SendJsonAsync(object message) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(uint stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[payload.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(frame, stream);
        payload.CopyTo(frame.AsSpan(4));
        return Socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
    }

    public void Dispose() => Socket.Dispose();

    private async Task<(WebSocketMessageType Type, byte[] Data)> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[256 * 1024];
        var count = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token);
            count += result.Count;
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
            {
                return (result.MessageType, buffer[..count]);
            }
        }
    }
}
