namespace Keyward.LoadBench.Support;

/// <summary>
/// The values of <c>--mode</c>: the load runs (the counter of issue 3; the trivial upstream and sign-ins of issue 15)
/// and the remote-support benches (issue 11).
/// </summary>
internal static class SupportModes
{
    public const string Counter = "counter";
    public const string Trivial = "trivial";
    public const string SignIn = "signin";
    public const string Vault = "vault";
    public const string Relay = "relay";
    public const string Agents = "agents";
    public const string SupportCode = "support-code";
    public const string Revoke = "revoke";

    /// <summary>The agents mode's child process (the idle agents); not for people.</summary>
    public const string Swarm = "swarm";

    /// <summary>The relay mode's agent process; not for people.</summary>
    public const string RelayAgent = "relay-agent";

    /// <summary>The relay mode's viewer process (the <c>keyward connect --forward</c> side); not for people.</summary>
    public const string RelayViewer = "relay-viewer";

    public static readonly string[] All = [Counter, Trivial, SignIn, Vault, Relay, Agents, SupportCode, Revoke, Swarm, RelayAgent, RelayViewer];

    /// <summary>Whether the mode is one of the load runs that <see cref="BenchSettings"/> describes.</summary>
    public static bool IsLoadRun(string mode) => mode is Counter or Trivial or SignIn or Vault;

    /// <summary>The load run a mode names (<see cref="IsLoadRun"/> first).</summary>
    public static BenchMode LoadRun(string mode) => mode switch
    {
        Trivial => BenchMode.Trivial,
        SignIn => BenchMode.SignIn,
        Vault => BenchMode.Vault,
        _ => BenchMode.Counter,
    };
}
