namespace Keyward.Agent.Runtime;

/// <summary>How the terminal handler starts a login shell (docs/remote-support.md, "Terminal").</summary>
public sealed record TerminalOptions
{
    /// <summary>Whether <c>open</c> of kind <c>terminal</c> is served at all. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The account whose login shell runs (<c>su -l USER</c> inside the PTY), which needs the agent to run as root.
    /// Null: the agent's own account and <see cref="Shell"/>.
    /// </summary>
    public string? User { get; init; }

    /// <summary>The shell for the agent's own account; default <c>$SHELL</c>, else <c>/bin/sh</c>.</summary>
    public string Shell { get; init; } = Environment.GetEnvironmentVariable("SHELL") is { Length: > 0 } shell ? shell : "/bin/sh";

    /// <summary>The PTY wrapper (util-linux <c>script</c>).</summary>
    public string ScriptPath { get; init; } = "/usr/bin/script";
}
