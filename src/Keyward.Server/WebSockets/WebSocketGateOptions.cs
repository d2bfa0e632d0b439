namespace Keyward.Server.WebSockets;

/// <summary>Settings of the WebSocket gate as a whole (<c>Keyward:WebSockets</c>); per-route limits are in <see cref="Proxy.RouteWebSocketOptions"/>.</summary>
public sealed class WebSocketGateOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:WebSockets";

    /// <summary>How long an upgrade ticket is valid. Default 30 s.</summary>
    public TimeSpan TicketLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often open sockets are checked for session expiry and lifetime (real time). Default 250 ms.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a close handshake may take before the connection is dropped. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Ping interval on both legs of a relayed socket. Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the upstream handshake may take. Default 10 s.</summary>
    public TimeSpan UpstreamConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes one socket may hold per direction for a receiver that reads slower than its sender sends (messages read
    /// and not yet sent on). Past it the relay stops reading from the sender (backpressure). A single message larger
    /// than this is relayed alone. Default 1 MiB.
    /// </summary>
    public int MaxQueuedBytes { get; set; } = 1024 * 1024;

    /// <summary>Sockets one session may have open at once on this node; more are refused with 429. Default 16.</summary>
    public int MaxSocketsPerSession { get; set; } = 16;

    /// <summary>Sockets open at once on this node, over all sessions; more are refused with 503. Default 10,000.</summary>
    public int MaxSockets { get; set; } = 10_000;

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (TicketLifetime < TimeSpan.FromSeconds(1) || TicketLifetime > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:TicketLifetime must be between 00:00:01 and 00:05:00 (default 00:00:30).");
        }

        if (SweepInterval < TimeSpan.FromMilliseconds(50) || SweepInterval > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{Section}:SweepInterval must be between 50 ms and 1 s, so ended sessions close their sockets within a second (default 00:00:00.250).");
        }

        if (CloseTimeout < TimeSpan.FromMilliseconds(100) || CloseTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:CloseTimeout must be between 100 ms and 1 min (default 00:00:05).");
        }

        if (KeepAliveInterval < TimeSpan.Zero)
        {
            errors.Add($"{Section}:KeepAliveInterval must be zero (off) or positive (default 00:00:30).");
        }

        if (UpstreamConnectTimeout < TimeSpan.FromMilliseconds(100) || UpstreamConnectTimeout > TimeSpan.FromMinutes(2))
        {
            errors.Add($"{Section}:UpstreamConnectTimeout must be between 100 ms and 2 min (default 00:00:10).");
        }

        if (MaxQueuedBytes is < 16 * 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{Section}:MaxQueuedBytes must be between 16384 and 67108864 (bytes per socket and direction; default 1048576).");
        }

        if (MaxSocketsPerSession is < 1 or > 1000)
        {
            errors.Add($"{Section}:MaxSocketsPerSession must be between 1 and 1000 (default 16).");
        }

        if (MaxSockets is < 1 or > 1_000_000)
        {
            errors.Add($"{Section}:MaxSockets must be between 1 and 1000000 (default 10000).");
        }
        else if (MaxSockets < MaxSocketsPerSession)
        {
            errors.Add($"{Section}:MaxSockets ({MaxSockets}) must be at least MaxSocketsPerSession ({MaxSocketsPerSession}); raise MaxSockets or lower MaxSocketsPerSession.");
        }

        return errors;
    }
}
