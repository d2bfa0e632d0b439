namespace Keyward.Core.Agents;

/// <summary>A machine's enroll policy: whether a support session needs the consent of the person at the machine.</summary>
public static class AgentPolicies
{
    /// <summary>Every support session asks the person at the machine first.</summary>
    public const string Attended = "attended";

    /// <summary>Support sessions may also run without anyone at the machine (joining one needs step-up).</summary>
    public const string Unattended = "unattended";

    /// <summary>True for a known policy. Deny what is not listed.</summary>
    public static bool IsKnown(string? policy) => policy is Attended or Unattended;
}
