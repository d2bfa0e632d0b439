namespace Keyward.Core.Agents;

/// <summary>Codes and messages for <see cref="AgentKeyFailure"/>.</summary>
public static class AgentKeyFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(AgentKeyFailure failure) => failure switch
    {
        AgentKeyFailure.Revoked => "agent_key_revoked",
        AgentKeyFailure.Deleted => "agent_machine_deleted",
        _ => "agent_key_invalid",
    };

    /// <summary>The plain message.</summary>
    public static string Message(AgentKeyFailure failure) => failure switch
    {
        AgentKeyFailure.Revoked => "This agent key was revoked by an admin. Enroll the machine again with a new enroll token.",
        AgentKeyFailure.Deleted => "This machine was deleted by an admin. Enroll it again with a new enroll token.",
        _ => "The agent plane takes only an agent key: Authorization: Bearer kwa_… (malformed, another kind of credential, or unknown).",
    };
}
