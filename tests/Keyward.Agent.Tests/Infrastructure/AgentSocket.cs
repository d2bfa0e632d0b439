using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Keyward.Agent.Tests.Infrastructure;

/// <summary>The server end of one agent socket in <see cref="FakeKeyward"/>: send Keyward's messages, read the agent's.</summary>
public sealed class AgentSocket(WebSocket socket, string agentVersion)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebSocket Socket { get; } = socket;

    public string AgentVersion { get; } = agentVersion;

    public Task Finished => _finished.Task;

    public void Finish() => _finished.TrySetResult();

    public Task SendJsonAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task HelloAsync(int heartbeatSeconds = 30) =>
        SendJsonAsync($$"""{"type":"hello","machine_id":"m_test","label":"test box","heartbeat_seconds":{{heartbeatSeconds}}}""");

    public Task SendDataAsync(uint stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, stream);
        payload.CopyTo(frame.AsSpan(4));
        return Socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
    }

    /// <summary>The next message: text as a parsed JSON document, binary as (stream, payload); null when the agent closed.</summary>
    public async Task<Message?> ReceiveAsync(TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[128 * 1024];
        var count = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(count), deadline.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                return result.MessageType == WebSocketMessageType.Text
                    ? new Message(JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone(), 0, [])
                    : new Message(null, BinaryPrimitives.ReadUInt32BigEndian(buffer), buffer[4..count]);
            }
        }
    }

    /// <summary>The next text message of <paramref name="type"/>, skipping heartbeats.</summary>
    public async Task<JsonElement> ExpectAsync(string type)
    {
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"The agent closed the socket while {type} was expected.");
            if (message.Json is { } json && json.GetProperty("type").GetString() is { } got && got != "heartbeat")
            {
                Assert.Equal(type, got);
                return json;
            }
        }
    }

    public sealed record Message(JsonElement? Json, uint Stream, byte[] Payload)
    {
        public string? Type => Json?.GetProperty("type").GetString();
    }
}
