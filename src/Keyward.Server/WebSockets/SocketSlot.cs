namespace Keyward.Server.WebSockets;

/// <summary>
/// A place for one socket under <see cref="WebSocketGateOptions.MaxSockets"/> and its session's
/// <see cref="WebSocketGateOptions.MaxSocketsPerSession"/>, taken before the upstream is dialled. Disposing it gives
/// the place back, once, whatever ended the upgrade or the socket.
/// </summary>
internal sealed class SocketSlot : IDisposable
{
    private readonly LiveSocketRegistry _registry;
    private int _released;

    public SocketSlot(LiveSocketRegistry registry, Guid? sessionId)
    {
        _registry = registry;
        SessionId = sessionId;
    }

    /// <summary>The session the place counts against; null for the internal credential (the global cap only).</summary>
    public Guid? SessionId { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _registry.Release(this);
        }
    }
}
