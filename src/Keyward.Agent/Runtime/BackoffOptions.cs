namespace Keyward.Agent.Runtime;

/// <summary>The reconnect policy (docs/remote-support.md, "Reconnects").</summary>
public sealed record BackoffOptions
{
    /// <summary>The first step (the first wait is between half of it and all of it). Default 1 s.</summary>
    public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on a step. Default 60 s.</summary>
    public TimeSpan Max { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The fixed wait after close 4409 (another connection with this key replaced this one). Short and not growing, so
    /// the real agent does not yield its machine to a copy of its key; Keyward quarantines a key replaced repeatedly.
    /// Default 5 s.
    /// </summary>
    public TimeSpan AfterReplaced { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection that lasted this long resets the backoff to <see cref="Initial"/>. Default 60 s.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(60);
}
