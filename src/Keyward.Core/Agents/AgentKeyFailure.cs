namespace Keyward.Core.Agents;

/// <summary>Why an agent key was refused. Each has a stable code (<see cref="AgentKeyFailures.Code"/>).</summary>
public enum AgentKeyFailure
{
    /// <summary>Malformed, of another kind, or unknown.</summary>
    Invalid = 1,
    /// <summary>Its key was revoked by an admin.</summary>
    Revoked,
    /// <summary>Its machine was deleted.</summary>
    Deleted,
}
