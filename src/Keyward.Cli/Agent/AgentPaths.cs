namespace Keyward.Cli.Agent;

/// <summary>Where <c>keyward agent</c> keeps its state by default: $XDG_STATE_HOME/keyward/agent, else ~/.local/state/keyward/agent.</summary>
internal static class AgentPaths
{
    public static string DefaultStateDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"),
        "keyward",
        "agent");
}
