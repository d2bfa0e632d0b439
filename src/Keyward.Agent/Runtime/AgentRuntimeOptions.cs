using Microsoft.Extensions.Logging;

namespace Keyward.Agent.Runtime;

/// <summary>What <see cref="AgentRuntime"/> runs with.</summary>
public sealed record AgentRuntimeOptions
{
    /// <summary>The state directory <c>keyward agent enroll</c> wrote. Set this or <see cref="AdHoc"/>, not both.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>
    /// An ad-hoc agent: connects once with a support code instead of an agent key, and stops when its support session
    /// ends or the code is refused (no reconnect). Set this or <see cref="StateDirectory"/>, not both.
    /// </summary>
    public AdHocConnection? AdHoc { get; init; }

    /// <summary>The loopback TCP ports a <c>tcp</c> stream may reach; every other port is refused (<c>port_not_allowed</c>).</summary>
    public IReadOnlySet<int> AllowedPorts { get; init; } = new HashSet<int>();

    /// <summary>
    /// Asks the person at the machine; true means yes. Cancelled when the request times out or its session ends.
    /// Default: deny every request (an agent with nobody to ask never lets anyone in).
    /// </summary>
    public Func<ConsentRequest, CancellationToken, Task<bool>> Consent { get; init; } = static (_, _) => Task.FromResult(false);

    /// <summary>The terminal handler's settings.</summary>
    public TerminalOptions Terminal { get; init; } = new();

    /// <summary>The reconnect policy.</summary>
    public BackoffOptions Backoff { get; init; } = new();

    /// <summary>The clock for heartbeats, consent timeouts and backoff waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The jitter source for backoff.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>The diagnostic log (never a key or stream data).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>How many frames wait to be sent to Keyward before stream readers are held back. Default 64 (at most 4 MiB).</summary>
    public int SendQueueFrames { get; init; } = 64;

    /// <summary>How many frames from Keyward wait for one stream before the socket is no longer read. Default 16 (at most 1 MiB).</summary>
    public int StreamQueueFrames { get; init; } = 16;

    /// <summary>How long Keyward has to send <c>hello</c> after the upgrade. Default 30 s.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
