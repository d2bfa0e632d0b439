namespace Keyward.Server.Cluster;

/// <summary>
/// The revocation listener of a PostgreSQL node (<c>Keyward:Cluster</c>). SQLite (one node) reads none of it.
/// </summary>
public sealed record ClusterOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Cluster";

    /// <summary>
    /// How long the listener waits before it connects again after losing its connection. Meanwhile every request reads
    /// the database (fail closed), so a short delay costs only database reads. Default 1 s.
    /// </summary>
    public TimeSpan ListenerReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the listener waits for a notice before it checks that its connection still answers (a connection cut
    /// silently, without a reset, sends no error). A connection that fails the check is treated as lost. Default 5 s.
    /// </summary>
    public TimeSpan ListenerHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ListenerReconnectDelay < TimeSpan.FromMilliseconds(100) || ListenerReconnectDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add("Keyward:Cluster:ListenerReconnectDelay must be between 00:00:00.1 and 00:01:00 (e.g. 00:00:01).");
        }

        if (ListenerHeartbeat < TimeSpan.FromSeconds(1) || ListenerHeartbeat > TimeSpan.FromMinutes(1))
        {
            errors.Add("Keyward:Cluster:ListenerHeartbeat must be between 00:00:01 and 00:01:00 (e.g. 00:00:05).");
        }

        return errors;
    }
}
