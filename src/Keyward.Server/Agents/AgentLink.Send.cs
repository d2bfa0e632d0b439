using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text.Json;

namespace Keyward.Server.Agents;

internal sealed partial class AgentLink
{
    /// <summary>Sends one JSON text frame written by <paramref name="write"/>; false when the link has ended.</summary>
    private async Task<bool> SendMessageAsync(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return await SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Sends stream data to the agent in frames of at most <see cref="AgentOptions.MaxFrameBytes"/>; false when the link has ended.</summary>
    internal async Task<bool> SendDataAsync(uint streamId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var chunk = _options.MaxFrameBytes - AgentProtocol.StreamHeaderBytes;
        var frame = ArrayPool<byte>.Shared.Rent(Math.Min(data.Length, chunk) + AgentProtocol.StreamHeaderBytes);
        try
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame, streamId);
            var offset = 0;
            do
            {
                var count = Math.Min(chunk, data.Length - offset);
                data.Slice(offset, count).CopyTo(frame.AsMemory(AgentProtocol.StreamHeaderBytes));
                if (!await SendAsync(frame.AsMemory(0, count + AgentProtocol.StreamHeaderBytes), WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                offset += count;
            }
            while (offset < data.Length);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Tells the agent that the viewer side of a stream ended.</summary>
    /// <summary>Resizes a terminal stream (<c>resize</c>).</summary>
    internal Task<bool> SendResizeAsync(uint streamId, int cols, int rows) => SendMessageAsync(w =>
    {
        w.WriteString("type", "resize");
        w.WriteNumber("stream", streamId);
        w.WriteNumber("cols", cols);
        w.WriteNumber("rows", rows);
    });

    internal Task<bool> SendCloseAsync(uint streamId, string reason) => SendMessageAsync(w =>
    {
        w.WriteString("type", "close");
        w.WriteNumber("stream", streamId);
        w.WriteString("reason", reason);
    });

    private async Task<bool> SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        if (IsClosing)
        {
            return false;
        }

        try
        {
            await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (IsClosing)
            {
                return false;
            }

            await _socket.SendAsync(payload, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _bytesToAgent, payload.Length);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            return false;
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>
    /// Closes the link with <paramref name="status"/> (the first close wins): pending requests end as gone, streams end,
    /// the close frame goes out, and the socket is dropped if the agent has not answered it within a few seconds.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.CompareExchange(ref _closing, 1, 0) != 0)
        {
            return;
        }

        CloseStatus = status;
        CloseReason = reason;
        EndEverything(reason);
        try
        {
            if (await _send.WaitAsync(CloseTimeout).ConfigureAwait(false))
            {
                try
                {
                    using var timeout = new CancellationTokenSource(CloseTimeout);
                    await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _send.Release();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The socket is already gone: nothing to say goodbye to.
        }

        // The reader waits for the agent's close frame; past the timeout it gives up and the socket is dropped.
        try
        {
            _abort.CancelAfter(CloseTimeout);
        }
        catch (ObjectDisposedException)
        {
            // The link has already ended.
        }
    }

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
}
