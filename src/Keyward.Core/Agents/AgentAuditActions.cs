namespace Keyward.Core.Agents;

/// <summary>The audit actions of the agent plane and machines (docs/audit.md). Never a token or key in an event.</summary>
public static class AgentAuditActions
{
    public const string EnrollTokenCreated = "enroll_token.created";
    public const string EnrollTokenRevoked = "enroll_token.revoked";
    public const string Enrolled = "agent.enrolled";
    public const string EnrollRefused = "agent.enroll_refused";
    public const string KeyRefused = "agent.key_refused";
    public const string KeyRevoked = "agent.key_revoked";
    public const string MachineDeleted = "machine.deleted";
    public const string Connected = "agent.connected";
    public const string Disconnected = "agent.disconnected";
    public const string Replaced = "agent.replaced";
    public const string Quarantined = "agent.quarantined";
}
