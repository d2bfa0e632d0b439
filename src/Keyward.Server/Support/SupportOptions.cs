namespace Keyward.Server.Support;

/// <summary>Remote-support settings (<c>Keyward:Support</c>, docs/configuration.md).</summary>
public sealed class SupportOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Support";

    /// <summary>How long a support code works (single use).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a join token works (single use).</summary>
    public TimeSpan JoinLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the person at an attended machine has to answer (the one consent timeout; the relay passes it to the agent).</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a support session may stay pending (no agent and viewer relayed) before it is reaped.</summary>
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a relayed support session stays open with no viewer: a forward carries many short connections (ssh, scp,
    /// a reconnect), so the last viewer leaving starts this clock instead of ending the session; a viewer joining stops it.
    /// </summary>
    public TimeSpan IdleLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often stale support sessions are reaped and viewer sockets of sessions ended elsewhere are closed.</summary>
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Viewer sockets per support session (per node).</summary>
    public int MaxViewersPerSession { get; set; } = 4;

    /// <summary>Open support sessions per machine.</summary>
    public int MaxSessionsPerMachine { get; set; } = 4;

    /// <summary>Open support sessions per technician account.</summary>
    public int MaxSessionsPerAccount { get; set; } = 20;

    /// <summary>Viewer sockets per account (per node).</summary>
    public int MaxSocketsPerAccount { get; set; } = 16;

    /// <summary>Join tokens that one login session may hold unused for one support session (more is 429 <c>join_token_limit</c>).</summary>
    public int MaxUnusedJoinTokens { get; set; } = 10;

    /// <summary>The largest text or binary message a viewer may send (bytes).</summary>
    public int MaxViewerMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Bytes per second one viewer may send toward the agent (a token bucket holding one second of it).</summary>
    public int ViewerInputBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Support-code checks per client address group (an IPv4 address, an IPv6 /64) per minute.</summary>
    public int CodeChecksPerAddressPerMinute { get; set; } = 10;

    /// <summary>Wrong support-code guesses per minute across all addresses (a right code costs none).</summary>
    public int CodeFailuresPerMinute { get; set; } = 60;

    /// <summary>
    /// Join tokens that may fail to redeem per client address group (an IPv4 address, an IPv6 /64) per minute on the
    /// viewer plane; past that the group is refused before the database (429 <c>join_rate_limited</c>). Tokens that
    /// redeem do not count.
    /// </summary>
    public int JoinFailuresPerAddressPerMinute { get; set; } = 30;

    /// <summary>Returns every problem, each naming the setting and the fix.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Between(errors, nameof(CodeLifetime), CodeLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), "00:10:00");
        Between(errors, nameof(JoinLifetime), JoinLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(15), "00:05:00");
        Between(errors, nameof(ConsentTimeout), ConsentTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), "00:01:00");
        Between(errors, nameof(PendingLifetime), PendingLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromHours(24), "00:15:00");
        Between(errors, nameof(IdleLifetime), IdleLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromHours(24), "00:05:00");
        Between(errors, nameof(ReapInterval), ReapInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), "00:00:30");
        Between(errors, nameof(MaxViewersPerSession), MaxViewersPerSession, 1, 100, 4);
        Between(errors, nameof(MaxSessionsPerMachine), MaxSessionsPerMachine, 1, 100, 4);
        Between(errors, nameof(MaxSessionsPerAccount), MaxSessionsPerAccount, 1, 1000, 20);
        Between(errors, nameof(MaxSocketsPerAccount), MaxSocketsPerAccount, 1, 1000, 16);
        Between(errors, nameof(MaxUnusedJoinTokens), MaxUnusedJoinTokens, 1, 100, 10);
        Between(errors, nameof(MaxViewerMessageBytes), MaxViewerMessageBytes, 1024, 1024 * 1024, 65536);
        Between(errors, nameof(ViewerInputBytesPerSecond), ViewerInputBytesPerSecond, 1024, 1024 * 1024 * 1024, 1048576);
        Between(errors, nameof(CodeChecksPerAddressPerMinute), CodeChecksPerAddressPerMinute, 1, 600, 10);
        Between(errors, nameof(CodeFailuresPerMinute), CodeFailuresPerMinute, 1, 6000, 60);
        Between(errors, nameof(JoinFailuresPerAddressPerMinute), JoinFailuresPerAddressPerMinute, 1, 600, 30);
        return errors;
    }

    private static void Between(List<string> errors, string name, TimeSpan value, TimeSpan min, TimeSpan max, string fallback)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{name} must be between {min:c} and {max:c} (default {fallback}).");
        }
    }

    private static void Between(List<string> errors, string name, int value, int min, int max, int fallback)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{name} must be between {min} and {max} (default {fallback}).");
        }
    }
}
