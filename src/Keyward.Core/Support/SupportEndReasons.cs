namespace Keyward.Core.Support;

/// <summary>Why a support session ended (stored, and in its audit event).</summary>
public static class SupportEndReasons
{
    /// <summary>Ended through the API by its technician or an admin.</summary>
    public const string Ended = "ended";

    /// <summary>Reaped: pending past its pending lifetime, or past its expiry.</summary>
    public const string Expired = "expired";

    /// <summary>The person at the machine refused consent.</summary>
    public const string ConsentDenied = "consent_denied";

    /// <summary>The person at the machine did not answer within the consent timeout.</summary>
    public const string ConsentTimeout = "consent_timeout";

    /// <summary>The person at the machine ended it (the agent's <c>end</c>).</summary>
    public const string EndedAtMachine = "ended_at_machine";

    /// <summary>The agent disconnected while the session was asking for consent or relayed.</summary>
    public const string AgentGone = "agent_gone";

    /// <summary>The machine's agent key was revoked or the machine deleted.</summary>
    public const string MachineRevoked = "machine_revoked";
}
