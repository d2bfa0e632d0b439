namespace Keyward.Server.Agents;

/// <summary>Settings of the agent plane (<c>Keyward:Agents</c>; docs/remote-support.md, docs/configuration.md).</summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Agents";

    /// <summary>How long an enroll token is valid when the admin does not say. Default 1 h.</summary>
    public TimeSpan EnrollTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest lifetime an admin may give an enroll token. Default 7 days.</summary>
    public TimeSpan MaxEnrollTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Enrollment attempts one client address may make per minute (per node). Default 10.</summary>
    public int EnrollPerAddressPerMinute { get; set; } = 10;

    /// <summary>How often an agent sends a heartbeat; silent for three of them and Keyward closes its socket (4408). Default 20.</summary>
    public int HeartbeatSeconds { get; set; } = 20;

    /// <summary>Bytes one stream may hold per direction before Keyward stops reading its agent (backpressure). Default 1 MiB.</summary>
    public int StreamQueueBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest binary frame, header included; a larger frame closes the socket with 1009. Default 64 KiB.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Agents connected at once to this node; more are refused with 503. Default 10,000.</summary>
    public int MaxAgents { get; set; } = 10_000;

    /// <summary>Streams one agent may have open at once. Default 64.</summary>
    public int MaxStreamsPerAgent { get; set; } = 64;

    /// <summary>How often live agents are checked against the key store (revocations on other nodes; real time). Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Replacements of one machine's connection (4409) within <see cref="ReplacementWindow"/> that quarantine it (its key is revoked). Default 3.</summary>
    public int MaxReplacementsPerWindow { get; set; } = 3;

    /// <summary>The window <see cref="MaxReplacementsPerWindow"/> counts in. Default 5 min.</summary>
    public TimeSpan ReplacementWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxEnrollTokenLifetime < TimeSpan.FromMinutes(1) || MaxEnrollTokenLifetime > TimeSpan.FromDays(30))
        {
            errors.Add($"{Section}:MaxEnrollTokenLifetime must be between 00:01:00 and 30.00:00:00 (default 7.00:00:00).");
        }

        if (EnrollTokenLifetime < TimeSpan.FromMinutes(1) || EnrollTokenLifetime > MaxEnrollTokenLifetime)
        {
            errors.Add($"{Section}:EnrollTokenLifetime must be between 00:01:00 and MaxEnrollTokenLifetime ({MaxEnrollTokenLifetime}) (default 01:00:00).");
        }

        if (EnrollPerAddressPerMinute is < 1 or > 10_000)
        {
            errors.Add($"{Section}:EnrollPerAddressPerMinute must be between 1 and 10000 (default 10).");
        }

        if (HeartbeatSeconds is < 1 or > 300)
        {
            errors.Add($"{Section}:HeartbeatSeconds must be between 1 and 300 (default 20).");
        }

        if (StreamQueueBytes is < 16 * 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{Section}:StreamQueueBytes must be between 16384 and 67108864 (bytes per stream and direction; default 1048576).");
        }

        if (MaxFrameBytes is < 1024 or > 1024 * 1024)
        {
            errors.Add($"{Section}:MaxFrameBytes must be between 1024 and 1048576 (default 65536).");
        }
        else if (MaxFrameBytes > StreamQueueBytes)
        {
            errors.Add($"{Section}:MaxFrameBytes ({MaxFrameBytes}) must not exceed StreamQueueBytes ({StreamQueueBytes}); raise StreamQueueBytes or lower MaxFrameBytes.");
        }

        if (MaxReplacementsPerWindow is < 2 or > 100)
        {
            errors.Add($"{Section}:MaxReplacementsPerWindow must be between 2 and 100 (default 3).");
        }

        if (ReplacementWindow < TimeSpan.FromSeconds(10) || ReplacementWindow > TimeSpan.FromHours(24))
        {
            errors.Add($"{Section}:ReplacementWindow must be between 00:00:10 and 1.00:00:00 (default 00:05:00).");
        }

        if (MaxAgents is < 1 or > 1_000_000)
        {
            errors.Add($"{Section}:MaxAgents must be between 1 and 1000000 (default 10000).");
        }

        if (MaxStreamsPerAgent is < 1 or > 10_000)
        {
            errors.Add($"{Section}:MaxStreamsPerAgent must be between 1 and 10000 (default 64).");
        }

        if (SweepInterval < TimeSpan.FromMilliseconds(50) || SweepInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{Section}:SweepInterval must be between 50 ms and 10 s, so a key revoked on another node closes its socket soon (default 00:00:01).");
        }

        return errors;
    }
}
