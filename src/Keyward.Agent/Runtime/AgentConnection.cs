using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Streams;
using Microsoft.Extensions.Logging;

namespace Keyward.Agent.Runtime;

/// <summary>
/// One open agent socket: a receive loop that dispatches Keyward's messages, one writer that drains a bounded send
/// queue (stream readers wait when it is full, so a slow Keyward slows the machine's streams instead of growing the
/// agent's memory), heartbeats, consent prompts and the open streams.
/// </summary>
internal sealed partial class AgentConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly AgentState _state;
    private readonly AgentRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<OutgoingFrame> _outbox;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, AgentStream> _streams = new();
    private readonly ConcurrentDictionary<string, ConsentPrompt> _consents = new();

    // The support sessions the person at the machine said yes to on this connection (a reconnect forgets them all).
    private readonly ConcurrentDictionary<string, byte> _accepted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _life = new();
    private readonly CancellationTokenSource _receiveAbort = new();

    public AgentConnection(WebSocket socket, AgentState state, AgentRuntimeOptions options, ILogger logger)
    {
        _socket = socket;
        _state = state;
        _options = options;
        _logger = logger;
        _outbox = Channel.CreateBounded<OutgoingFrame>(new BoundedChannelOptions(options.SendQueueFrames) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public async Task<ConnectionOutcome> RunAsync(CancellationToken cancellationToken)
    {
        // Stopping closes the socket properly (a close frame, then Keyward's answer ends the receive loop); only if
        // Keyward does not answer within a few seconds is the receive cancelled, which aborts the socket.
        using var registration = cancellationToken.Register(static s => _ = ((AgentConnection)s!).StopAsync(), this);
        var writer = WriteLoopAsync(_life.Token);
        ConnectionOutcome outcome;
        try
        {
            outcome = await ReceiveLoopAsync(_receiveAbort.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ChannelClosedException or ObjectDisposedException)
        {
            // ChannelClosedException: an answer queued after the close went out (the agent is stopping).
            // ObjectDisposedException: a close that failed aborted the socket under the receive loop.
            outcome = new(ConnectionOutcomeKind.Closed, true, "socket broke: " + e.GetType().Name);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            outcome = new(ConnectionOutcomeKind.Cancelled, true, "stopped");
        }

        await _life.CancelAsync().ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket is gone either way; the outcome above says why.
        }

        return outcome;
    }

    private async Task StopAsync()
    {
        await CloseAsync(WebSocketCloseStatus.NormalClosure, "agent stopping").ConfigureAwait(false);
        try
        {
            _receiveAbort.CancelAfter(TimeSpan.FromSeconds(5));
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
    }

    /// <summary>Queues a frame for Keyward; waits while the queue is full.</summary>
    internal ValueTask SendAsync(WebSocketMessageType type, byte[] data, int length, CancellationToken cancellationToken) =>
        _outbox.Writer.WriteAsync(new OutgoingFrame(type, data, length), cancellationToken);

    /// <summary>Queues a binary frame whose buffer was rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>: it is returned once sent (a frame dropped with the connection is left to the GC).</summary>
    internal ValueTask SendPooledAsync(byte[] frame, int length, CancellationToken cancellationToken) =>
        _outbox.Writer.WriteAsync(new OutgoingFrame(WebSocketMessageType.Binary, frame, length, Pooled: true), cancellationToken);

    internal ValueTask SendTextAsync(byte[] json, CancellationToken cancellationToken) =>
        SendAsync(WebSocketMessageType.Text, json, json.Length, cancellationToken);

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var frame in _outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(frame.Data.AsMemory(0, frame.Length), frame.Type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }

            if (frame.Pooled)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(frame.Data);
            }
        }
    }

    private async Task<ConnectionOutcome> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[AgentProtocolHeaders.MaxBinaryFrame];
        var helloSeen = false;
        while (true)
        {
            using var helloDeadline = helloSeen ? null : new CancellationTokenSource(_options.HelloTimeout, _options.TimeProvider);
            using var linked = helloDeadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, helloDeadline.Token);
            Frame frame;
            try
            {
                frame = await ReceiveFrameAsync(buffer, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (helloDeadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                return new(ConnectionOutcomeKind.Closed, true, "no hello in time");
            }

            switch (frame.Kind)
            {
                case FrameKind.Closed:
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty).ConfigureAwait(false);
                    }

                    return (int?)_socket.CloseStatus switch
                    {
                        AgentProtocolHeaders.CloseRevoked => new(ConnectionOutcomeKind.Revoked, true, "close 4401"),
                        AgentProtocolHeaders.CloseReplaced => new(ConnectionOutcomeKind.Replaced, true, "close 4409"),
                        _ => new(ConnectionOutcomeKind.Closed, true, $"Keyward closed the socket ({(int?)_socket.CloseStatus})"),
                    };
                case FrameKind.TooLarge:
                    AgentLog.FrameTooLarge(_logger, frame.Limit);
                    await CloseAsync(WebSocketCloseStatus.MessageTooBig, "frame too large").ConfigureAwait(false);
                    await DrainUntilClosedAsync().ConfigureAwait(false);
                    return new(ConnectionOutcomeKind.Closed, true, "frame too large");
                case FrameKind.Binary:
                    if (!helloSeen || frame.Length < AgentProtocolHeaders.StreamIdLength)
                    {
                        return await ViolationAsync(helloSeen ? "binary frame without a stream id" : "data before hello").ConfigureAwait(false);
                    }

                    await DeliverAsync(buffer.AsSpan(0, frame.Length).ToArray(), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    var violation = await DispatchTextAsync(buffer.AsMemory(0, frame.Length), helloSeen, cancellationToken).ConfigureAwait(false);
                    if (violation is not null)
                    {
                        return await ViolationAsync(violation).ConfigureAwait(false);
                    }

                    helloSeen = true;
                    break;
            }
        }
    }

    private async Task<Frame> ReceiveFrameAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                return new Frame(FrameKind.TooLarge, count, AgentProtocolHeaders.MaxBinaryFrame);
            }

            var result = await _socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new Frame(FrameKind.Closed, 0, 0);
            }

            count += result.Count;
            if (result.MessageType == WebSocketMessageType.Text && count > AgentProtocolHeaders.MaxTextFrame)
            {
                return new Frame(FrameKind.TooLarge, count, AgentProtocolHeaders.MaxTextFrame);
            }

            if (result.EndOfMessage)
            {
                return new Frame(result.MessageType == WebSocketMessageType.Text ? FrameKind.Text : FrameKind.Binary, count, 0);
            }
        }
    }

    private async Task<ConnectionOutcome> ViolationAsync(string what)
    {
        AgentLog.ProtocolViolation(_logger, what);
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, "protocol violation").ConfigureAwait(false);
        await DrainUntilClosedAsync().ConfigureAwait(false);
        return new(ConnectionOutcomeKind.Closed, true, "protocol violation: " + what);
    }

    /// <summary>
    /// After the agent's own close: reads (and discards) until Keyward's close arrives, at most 5 s. Closing the TCP
    /// connection with unread bytes would reset it, and Keyward could lose the close frame and its code.
    /// </summary>
    private async Task DrainUntilClosedAsync()
    {
        var scratch = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (_socket.State is WebSocketState.CloseSent or WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(scratch.AsMemory(), deadline.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Keyward did not answer, or dropped the connection: nothing more to read either way.
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        _outbox.Writer.TryComplete();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _sendLock.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                await _socket.CloseOutputAsync(status, description, deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync().ConfigureAwait(false);
        foreach (var prompt in _consents.Values)
        {
            prompt.Dismiss();
        }

        foreach (var id in _streams.Keys)
        {
            if (_streams.TryRemove(id, out var stream))
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        _life.Dispose();
        _receiveAbort.Dispose();
        _sendLock.Dispose();
    }

    private enum FrameKind
    {
        Text,
        Binary,
        Closed,
        TooLarge,
    }

    private readonly record struct Frame(FrameKind Kind, int Length, int Limit);
}
