namespace Keyward.Agent.Enrollment;

/// <summary>The agent's state directory is missing, incomplete or damaged; the message names the file and the fix (never a secret).</summary>
public sealed class AgentStateException : Exception
{
    /// <summary>A state error with its message.</summary>
    public AgentStateException(string message)
        : base(message)
    {
    }

    /// <summary>A state error with its message and cause.</summary>
    public AgentStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A state error without a message (serialization and analyzers only).</summary>
    public AgentStateException()
    {
    }
}
