using System.Buffers;
using System.Net.WebSockets;

using Keyward.Server.Http;

namespace Keyward.Server.WebSockets;

internal sealed partial class RelayConnection
{
    private async Task PumpAsync(WebSocket from, RelayQueue to, int maxBytes, bool fromClient, Task delivered)
    {
        var limiter = fromClient ? new InboundRateLimiter(_limits.MaxMessagesPerSecond, _time) : null;
        try
        {
            while (true)
            {
                var (outcome, message) = await ReadMessageAsync(from, maxBytes).ConfigureAwait(false);
                if (IsClosing && outcome != ReadOutcome.Closed)
                {
                    // Keyward closed the socket: what the leg still sends is dropped until its close frame answers.
                    if (outcome == ReadOutcome.Message)
                    {
                        message.Return();
                    }

                    await DrainUntilCloseAsync(from).ConfigureAwait(false);
                    return;
                }

                switch (outcome)
                {
                    case ReadOutcome.Closed:
                        // The leg closed first: deliver what it sent before, then pass its code and reason on. When
                        // Keyward closed first, this is the answer and CloseAsync returns at once.
                        if (!IsClosing)
                        {
                            to.Complete();
                            await Task.WhenAny(delivered, Task.Delay(_closeTimeout)).ConfigureAwait(false);
                        }

                        var status = from.CloseStatus ?? WebSocketCloseStatus.NormalClosure;
                        await CloseAsync(status, from.CloseStatusDescription ?? string.Empty, fromClient ? "client_closed" : "upstream_closed").ConfigureAwait(false);
                        return;
                    case ReadOutcome.TooBig:
                        await CloseAsync(CloseCodes.TooBig, fromClient ? "message too big" : "upstream message too big", fromClient ? "client_message_too_big" : "upstream_message_too_big").ConfigureAwait(false);
                        await DrainUntilCloseAsync(from).ConfigureAwait(false);
                        return;
                }

                if (limiter is not null && !limiter.TryAcquire())
                {
                    message.Return();
                    await CloseAsync(CloseCodes.Policy, "message rate exceeded", KeywardErrors.RateLimited.Code).ConfigureAwait(false);
                    await DrainUntilCloseAsync(from).ConfigureAwait(false);
                    return;
                }

                Interlocked.Increment(ref fromClient ? ref _fromClient : ref _fromUpstream);
                bool queued;
                try
                {
                    // Backpressure: waits while the other leg's queue holds its byte budget; meanwhile nothing more
                    // is read from this leg, so its sender is held back by TCP.
                    queued = await to.WriteAsync(message, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    queued = false;
                }

                if (!queued)
                {
                    // Keyward is closing the socket (or the other leg's writer gave up): drop it.
                    message.Return();
                    await DrainUntilCloseAsync(from).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            // The leg dropped without a close handshake (or was dropped while closing).
            await CloseAsync(CloseCodes.GoingAway, fromClient ? "client went away" : "upstream went away", fromClient ? "client_gone" : "upstream_gone").ConfigureAwait(false);
        }
        finally
        {
            to.Complete();
        }
    }

    private async Task DeliverAsync(RelayQueue from, WebSocket to, SemaphoreSlim sendLock, bool toClientLeg)
    {
        try
        {
            while (await from.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (from.TryRead(out var message))
                {
                    try
                    {
                        await sendLock.WaitAsync(_stop.Token).ConfigureAwait(false);
                        try
                        {
                            if (IsClosing)
                            {
                                return;
                            }

                            await to.SendAsync(message.Payload, message.Type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                        }
                        finally
                        {
                            sendLock.Release();
                        }
                    }
                    finally
                    {
                        from.Release(message);
                    }
                }
            }
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            if (e is not OperationCanceledException)
            {
                await CloseAsync(CloseCodes.GoingAway, toClientLeg ? "client went away" : "upstream went away", toClientLeg ? "client_gone" : "upstream_gone").ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Completes the close handshake Keyward started: reads and drops until the leg's close frame (or until the relay
    /// gives up and aborts it). Returning earlier would close the connection with unread data, which TCP answers with
    /// a reset that can destroy the close frame before the peer reads it.
    /// </summary>
    private static async Task DrainUntilCloseAsync(WebSocket from)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (from.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await from.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            // Aborted at the close timeout, or the leg dropped: either way it is over.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A queued message is charged its buffer (<see cref="RelayQueue.ChargeOf"/>): a small message read into the
    /// 16 KiB first buffer moves to a pooled buffer its own size, so the budget counts bytes held, not a message count.
    /// </summary>
    private static byte[] RightSize(byte[] buffer, int count)
    {
        if (Math.Max(count, 16) > buffer.Length / 2)
        {
            return buffer;
        }

        var fitted = ArrayPool<byte>.Shared.Rent(count);
        buffer.AsSpan(0, count).CopyTo(fitted);
        ArrayPool<byte>.Shared.Return(buffer);
        return fitted;
    }

    /// <summary>Reads one whole message into a pooled buffer, reading at most one byte past the limit.</summary>
    private static async Task<(ReadOutcome Outcome, RelayMessage Message)> ReadMessageAsync(WebSocket from, int maxBytes)
    {
        var pool = ArrayPool<byte>.Shared;
        var limit = maxBytes + 1;
        var buffer = pool.Rent(Math.Min(limit, 16 * 1024));
        var count = 0;
        try
        {
            while (true)
            {
                var room = Math.Min(buffer.Length, limit);
                if (count == room)
                {
                    var bigger = pool.Rent(Math.Min(limit, buffer.Length * 2));
                    buffer.AsSpan(0, count).CopyTo(bigger);
                    pool.Return(buffer);
                    buffer = bigger;
                    room = Math.Min(buffer.Length, limit);
                }

                var result = await from.ReceiveAsync(buffer.AsMemory(count, room - count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    pool.Return(buffer);
                    return (ReadOutcome.Closed, default);
                }

                count += result.Count;
                if (count > maxBytes)
                {
                    pool.Return(buffer);
                    return (ReadOutcome.TooBig, default);
                }

                if (result.EndOfMessage)
                {
                    return (ReadOutcome.Message, new RelayMessage(RightSize(buffer, count), count, result.MessageType));
                }
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }
}
