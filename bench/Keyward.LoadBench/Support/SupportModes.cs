namespace Keyward.LoadBench.Support;

/// <summary>The values of <c>--mode</c>: the load run (issue 3) and the remote-support benches (issue 11).</summary>
internal static class SupportModes
{
    public const string Load = "load";
    public const string Relay = "relay";
    public const string Agents = "agents";
    public const string SupportCode = "support-code";
    public const string Revoke = "revoke";

    /// <summary>The agents mode's child process (the idle agents); not for people.</summary>
    public const string Swarm = "swarm";

    /// <summary>The relay mode's agent process; not for people.</summary>
    public const string RelayAgent = "relay-agent";

    public static readonly string[] All = [Load, Relay, Agents, SupportCode, Revoke, Swarm, RelayAgent];
}
