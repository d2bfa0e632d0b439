namespace Keyward.Agent.Runtime;

/// <summary>Why <see cref="AgentRuntime.RunAsync"/> returned.</summary>
public enum AgentStopReason
{
    /// <summary>The caller cancelled.</summary>
    Stopped,

    /// <summary>Keyward refused the key (401 on connect, or close 4401): revoked, or the machine deleted. Not retried.</summary>
    KeyRevoked,

    /// <summary>An ad-hoc agent's support code was refused (401 on connect): wrong, used, expired, or its session ended. Not retried.</summary>
    SupportCodeRefused,

    /// <summary>An ad-hoc agent's connection ended (its support session is over). An ad-hoc agent does not reconnect.</summary>
    SessionEnded,
}
