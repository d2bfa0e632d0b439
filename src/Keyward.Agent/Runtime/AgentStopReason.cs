namespace Keyward.Agent.Runtime;

/// <summary>Why <see cref="AgentRuntime.RunAsync"/> returned.</summary>
public enum AgentStopReason
{
    /// <summary>The caller cancelled.</summary>
    Stopped,

    /// <summary>Keyward refused the key (401 on connect, or close 4401): revoked, or the machine deleted. Not retried.</summary>
    KeyRevoked,
}
