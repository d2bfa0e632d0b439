namespace Keyward.Agent.Runtime;

/// <summary>The reconnect policy (docs/remote-support.md, "Reconnects").</summary>
public sealed record BackoffOptions
{
    /// <summary>The first step (the first wait is between half of it and all of it). Default 1 s.</summary>
    public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on a step. Default 60 s.</summary>
    public TimeSpan Max { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection that lasted this long resets the backoff to <see cref="Initial"/>. Default 60 s.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(60);
}
