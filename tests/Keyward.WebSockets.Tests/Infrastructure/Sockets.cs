using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>Small helpers for the client side of a socket.</summary>
internal static class Sockets
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static Task SendTextAsync(this WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Receives one whole message; throws when the socket closes instead.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveAsync(this WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"the socket closed with {(int?)socket.CloseStatus} {socket.CloseStatusDescription}");
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public static async Task<string> ReceiveTextAsync(this WebSocket socket)
    {
        var (type, payload) = await socket.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(payload);
    }

    /// <summary>Sends a text and expects it back.</summary>
    public static async Task AssertEchoAsync(this WebSocket socket, string text)
    {
        await socket.SendTextAsync(text);
        Assert.Equal(text, await socket.ReceiveTextAsync());
    }

    /// <summary>Reads (dropping messages) until the close frame; returns its code, reason and when it came.</summary>
    public static async Task<(int? Code, string? Reason, long ArrivedAt)> ExpectCloseAsync(this WebSocket socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? Patience);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var arrived = Stopwatch.GetTimestamp();
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }

                    return ((int?)socket.CloseStatus, socket.CloseStatusDescription, arrived);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no close frame within {(within ?? Patience).TotalSeconds} s (state {socket.State})");
        }
    }
}
