using System.Net.WebSockets;
using Keyward.Server.Proxy;

namespace Keyward.Server.WebSockets;

/// <summary>
/// One relayed socket: the client leg (accepted by Keyward) and the upstream leg (opened by Keyward). Each direction
/// is a reader that takes whole messages (bounded in size; the client's also in rate) into a <see cref="RelayQueue"/>
/// bounded in bytes, and a writer that sends them on. A full queue makes the reader wait, so a slow receiver slows its
/// sender down and nothing else (backpressure), and Keyward holds at most the budget per direction. Sends to one leg, including the close, go through that leg's lock, so a close
/// never interleaves with a message; once closing starts, nothing more is delivered.
/// </summary>
internal sealed partial class RelayConnection : IDisposable
{
    private readonly WebSocket _client;
    private readonly WebSocket _upstream;
    private readonly RouteWebSocketOptions _limits;
    private readonly TimeSpan _closeTimeout;
    private readonly TimeProvider _time;
    private readonly RelayQueue _toUpstream;
    private readonly RelayQueue _toClient;
    private readonly SemaphoreSlim _clientSend = new(1, 1);
    private readonly SemaphoreSlim _upstreamSend = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<RelayClose> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;
    private long _fromClient;
    private long _fromUpstream;

    public RelayConnection(RelayIdentity identity, WebSocket client, WebSocket upstream, RouteWebSocketOptions limits, TimeSpan closeTimeout, long maxQueuedBytes, TimeProvider time)
    {
        Identity = identity;
        _client = client;
        _upstream = upstream;
        _limits = limits;
        _closeTimeout = closeTimeout;
        _time = time;
        _toUpstream = new RelayQueue(maxQueuedBytes);
        _toClient = new RelayQueue(maxQueuedBytes);
        OpenedAt = time.GetUtcNow();
        ExpiresAt = OpenedAt + limits.MaxLifetime;
    }

    public Guid Id { get; } = Guid.NewGuid();

    public RelayIdentity Identity { get; }

    public DateTimeOffset OpenedAt { get; }

    /// <summary>When the route's MaxLifetime runs out.</summary>
    public DateTimeOffset ExpiresAt { get; }

    public long MessagesFromClient => Interlocked.Read(ref _fromClient);

    public long MessagesFromUpstream => Interlocked.Read(ref _fromUpstream);

    /// <summary>Bytes held now for the client (read from the upstream, not yet sent to the client).</summary>
    public long QueuedBytesToClient => _toClient.QueuedBytes;

    /// <summary>The most bytes held at once for the client.</summary>
    public long PeakQueuedBytesToClient => _toClient.PeakQueuedBytes;

    /// <summary>The most bytes held at once for the upstream.</summary>
    public long PeakQueuedBytesToUpstream => _toUpstream.PeakQueuedBytes;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Relays until either leg closes or Keyward closes it; returns how it ended.</summary>
    public async Task<RelayClose> RunAsync()
    {
        var toUpstreamDelivered = DeliverAsync(_toUpstream, _upstream, _upstreamSend, toClientLeg: false);
        var toClientDelivered = DeliverAsync(_toClient, _client, _clientSend, toClientLeg: true);
        var tasks = Task.WhenAll(
            PumpAsync(_client, _toUpstream, _limits.MaxClientMessageBytes, fromClient: true, toUpstreamDelivered),
            PumpAsync(_upstream, _toClient, _limits.MaxUpstreamMessageBytes, fromClient: false, toClientDelivered),
            toUpstreamDelivered,
            toClientDelivered);
        var outcome = await _closed.Task.ConfigureAwait(false);

        // The readers end when each leg answers the close; a leg that does not answer in time is dropped.
        if (await Task.WhenAny(tasks, Task.Delay(_closeTimeout)).ConfigureAwait(false) != tasks)
        {
            _client.Abort();
            _upstream.Abort();
        }

        await tasks.ConfigureAwait(false);
        _toUpstream.Drain();
        _toClient.Drain();
        return outcome;
    }

    /// <summary>
    /// Closes both legs with <paramref name="status"/> and <paramref name="reason"/> (first call wins; later calls
    /// return at once). Queued messages are dropped: after a revocation nothing more reaches either side.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason, string cause)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        reason = Truncate(reason);
        var close = new RelayClose((int)status, reason, cause);
        try
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(
                SendCloseAsync(_client, _clientSend, status, reason),
                SendCloseAsync(_upstream, _upstreamSend, status, reason)).ConfigureAwait(false);
        }
        finally
        {
            _closed.TrySetResult(close);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _upstream.Dispose();
        _stop.Dispose();
        _clientSend.Dispose();
        _upstreamSend.Dispose();
    }

    private async Task SendCloseAsync(WebSocket socket, SemaphoreSlim sendLock, WebSocketCloseStatus status, string reason)
    {
        using var timeout = new CancellationTokenSource(_closeTimeout);
        try
        {
            await sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A send is stuck on a peer that stopped reading: drop the leg.
            socket.Abort();
            return;
        }

        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            socket.Abort();
        }
        finally
        {
            sendLock.Release();
        }
    }

    private static bool IsLegFailure(Exception e) =>
        e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException;

    /// <summary>RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the code.</summary>
    private static string Truncate(string reason)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(reason) <= 123)
        {
            return reason;
        }

        var end = Math.Min(reason.Length, 120);
        while (System.Text.Encoding.UTF8.GetByteCount(reason.AsSpan(0, end)) > 120)
        {
            end--;
        }

        return reason[..end];
    }
}
