using System.Net.WebSockets;
using System.Text;
using Keyward.Server.Agents;

namespace Keyward.Server.Support;

/// <summary>
/// One open viewer socket: who it belongs to (support session, account, the login session whose join token opened
/// it) and the socket itself, with one sender at a time. <see cref="CloseAsync"/> may be called from anywhere (logout,
/// the support session ending, the reaper), once counts: it sends the close frame and, if the viewer does not answer
/// within <see cref="CloseTimeout"/>, aborts the socket, so a reader blocked in <see cref="ReceiveAsync"/> always ends.
/// </summary>
internal sealed class ViewerConnection(WebSocket socket, Guid supportSessionId, Guid accountId, Guid loginSessionId) : IDisposable
{
    private static readonly byte[] Empty = [];

    /// <summary>How long a closed viewer has to answer the close frame before its socket is aborted.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _send = new(1, 1);
    // Real time, not the injected clock: this bounds a network wait, it is not an expiry.
    private readonly CancellationTokenSource _abort = new();
    private int _closing;

    public Guid Id { get; } = Guid.NewGuid();

    public Guid SupportSessionId { get; } = supportSessionId;

    public Guid AccountId { get; } = accountId;

    public Guid LoginSessionId { get; } = loginSessionId;

    /// <summary>The technician's account name (shown to the person at the machine when consent is asked).</summary>
    public string AccountName { get; init; } = string.Empty;

    /// <summary>The support session's machine, or null for an ad-hoc session.</summary>
    public Guid? MachineId { get; init; }

    /// <summary>What the viewer asked to reach (<c>?kind=tcp&amp;port=</c> or <c>?kind=terminal&amp;cols=&amp;rows=</c>).</summary>
    public StreamTarget Target { get; init; } = new StreamTarget.Tcp(0);

    /// <summary>Why Keyward closed it (<c>session_ended</c>, <c>support_session_ended</c>…), or null when the viewer left.</summary>
    public string? ClosedBy { get; private set; }

    /// <summary>The close status Keyward sent, if it closed the socket.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Sends one text message (one sender at a time).</summary>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Sends one binary message (raw stream bytes; one sender at a time).</summary>
    public async Task SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(data.IsEmpty ? Empty : data, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The next frame, or null when the socket failed or was aborted.</summary>
    public async Task<ValueWebSocketReceiveResult?> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        try
        {
            return await socket.ReceiveAsync(buffer, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Closes the socket with <paramref name="status"/> and <paramref name="reason"/>; only the first call counts.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason, string cause)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        (ClosedBy, CloseStatus) = (cause, status);
        _abort.CancelAfter(CloseTimeout);
        try
        {
            await _send.WaitAsync(_abort.Token).ConfigureAwait(false);
            try
            {
                // docs/remote-support.md, "The viewer socket": the reason as a frame first, then the close.
                await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"ended\",\"reason\":\"{cause}\"}}"), WebSocketMessageType.Text, endOfMessage: true, _abort.Token).ConfigureAwait(false);
                await socket.CloseOutputAsync(status, reason, _abort.Token).ConfigureAwait(false);
            }
            finally
            {
                _send.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The viewer is gone or stuck: the abort above ends the reader.
            socket.Abort();
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _send.Dispose();
    }
}
