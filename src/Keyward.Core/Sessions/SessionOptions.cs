namespace Keyward.Core.Sessions;

/// <summary>Session lifetimes and caching (<c>Keyward:Sessions</c>).</summary>
public sealed record SessionOptions
{
    /// <summary>How long a session lives at most, whatever its use. Default 12 h.</summary>
    public TimeSpan AbsoluteLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How long a session may go unused. Default 30 min.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a node trusts its cached view of a session before re-reading it. Revocations made on the same node
    /// take effect at once; this bounds how late another node (PostgreSQL deployments) sees one. Default 5 s.
    /// </summary>
    public TimeSpan CacheRevalidateInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often use is written back as last-seen time. Idle expiry is exact on the node that serves the session;
    /// after a restart it may come up to this much early. Default 1 min.
    /// </summary>
    public TimeSpan LastSeenWriteInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AbsoluteLifetime <= TimeSpan.Zero)
        {
            errors.Add("Keyward:Sessions:AbsoluteLifetime must be positive (e.g. 12:00:00).");
        }

        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > AbsoluteLifetime)
        {
            errors.Add("Keyward:Sessions:IdleTimeout must be positive and no longer than AbsoluteLifetime (e.g. 00:30:00).");
        }

        if (CacheRevalidateInterval < TimeSpan.Zero || CacheRevalidateInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add("Keyward:Sessions:CacheRevalidateInterval must be between 0 and 1 minute.");
        }

        if (LastSeenWriteInterval < TimeSpan.Zero || LastSeenWriteInterval >= IdleTimeout)
        {
            errors.Add("Keyward:Sessions:LastSeenWriteInterval must be at least 0 and shorter than IdleTimeout.");
        }

        return errors;
    }
}
