namespace Keyward.Server.Proxy;

/// <summary>
/// WebSocket settings of one route (<c>Keyward:Routes:&lt;id&gt;:WebSocket</c>). Off by default: an upgrade to a route
/// without them is refused, never passed through. docs/websockets.md explains each.
/// </summary>
public sealed class RouteWebSocketOptions
{
    /// <summary>Accept WebSocket upgrades on this route (Keyward terminates and relays them). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Page origins (<c>scheme://host[:port]</c>) that may open sockets here. Empty means only Keyward's own origin.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Let an upgrade on this browser route's host carry the app cookie instead of a ticket, from the app's own origin
    /// (or <see cref="AllowedOrigins"/>). Needs <c>Host</c>: Keyward's session cookie never opens a socket. Default false.
    /// </summary>
    public bool AllowSessionCookie { get; set; }

    /// <summary>Largest message a client may send; a larger one closes the socket with 1009. Default 64 KiB.</summary>
    public int MaxClientMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Largest message the upstream may send; a larger one closes the socket with 1009. Default 4 MiB.</summary>
    public int MaxUpstreamMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Client messages per second (a token bucket with this burst); more closes the socket with 1008. Default 50.</summary>
    public int MaxMessagesPerSecond { get; set; } = 50;

    /// <summary>
    /// Retired: the queues are bounded in bytes by <c>Keyward:WebSockets:MaxQueuedBytes</c>, no longer in messages. Set,
    /// it fails validation so a configuration that relied on it is noticed rather than silently ignored.
    /// </summary>
    public int? SendQueueCapacity { get; set; }

    /// <summary>How long one socket may stay open before it must be reopened (close 4401). Default 8 h.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate(string routeId, bool isInternal, bool isBrowserRoute = false)
    {
        var errors = new List<string>();
        var prefix = $"Keyward:Routes:{routeId}:WebSocket";
        if (AllowSessionCookie && !isBrowserRoute)
        {
            errors.Add($"{prefix}:AllowSessionCookie needs a browser route: set Keyward:Routes:{routeId}:Host. Cookie upgrades take the app cookie on the route's own host; Keyward's session cookie never opens a socket.");
        }

        if (isInternal && !Enabled)
        {
            errors.Add($"Keyward:Routes:{routeId}:Internal only applies to WebSocket upgrades: set {prefix}:Enabled=true, or remove Internal.");
        }

        foreach (var origin in AllowedOrigins)
        {
            if (Http.WebOrigin.Normalize(origin, out var problem) is null)
            {
                errors.Add($"{prefix}:AllowedOrigins: \"{origin}\" is not an origin ({problem}); write scheme://host[:port], e.g. https://app.example.com.");
            }
        }

        Range(errors, $"{prefix}:MaxClientMessageBytes", MaxClientMessageBytes, 16, 64 * 1024 * 1024);
        Range(errors, $"{prefix}:MaxUpstreamMessageBytes", MaxUpstreamMessageBytes, 16, 64 * 1024 * 1024);
        Range(errors, $"{prefix}:MaxMessagesPerSecond", MaxMessagesPerSecond, 1, 100_000);
        if (SendQueueCapacity is not null)
        {
            errors.Add($"{prefix}:SendQueueCapacity is retired: the relay's queues are bounded in bytes by Keyward:WebSockets:MaxQueuedBytes (per socket and direction). Remove it.");
        }
        if (MaxLifetime < TimeSpan.FromSeconds(1) || MaxLifetime > TimeSpan.FromDays(7))
        {
            errors.Add($"{prefix}:MaxLifetime must be between 00:00:01 and 7.00:00:00 (default 08:00:00).");
        }

        return errors;
    }

    /// <summary>
    /// The origins allowed here, normalized (<see cref="Http.WebOrigin"/>; validated at start, so each one normalizes);
    /// <paramref name="defaultOrigin"/> (the route's host's) when none are configured.
    /// </summary>
    internal IReadOnlyList<string> EffectiveOrigins(string defaultOrigin) =>
        AllowedOrigins.Count == 0 ? [Http.WebOrigin.Normalize(defaultOrigin) ?? defaultOrigin] : [.. AllowedOrigins.Select(o => Http.WebOrigin.Normalize(o) ?? o)];

    private static void Range(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name} must be between {min} and {max}.");
        }
    }
}
