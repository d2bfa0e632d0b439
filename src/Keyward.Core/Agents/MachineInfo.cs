namespace Keyward.Core.Agents;

/// <summary>An enrolled machine as Keyward knows it. Never holds its key.</summary>
/// <param name="Id">The machine's id (assigned at enrollment).</param>
/// <param name="TenantId">Its tenant.</param>
/// <param name="Label">The label its enroll token gave it.</param>
/// <param name="Policy"><see cref="AgentPolicies.Attended"/> or <see cref="AgentPolicies.Unattended"/>.</param>
/// <param name="Joiners">Who may join its support sessions.</param>
/// <param name="EnrolledAt">When it enrolled.</param>
/// <param name="EnrolledBy">The admin who created its enroll token.</param>
/// <param name="Hostname">As the agent last reported it (informational only).</param>
/// <param name="Version">As the agent last reported it (informational only).</param>
/// <param name="LastSeenAt">When its agent was last connected (recorded at most once per interval).</param>
/// <param name="KeyRevokedAt">When its key was revoked, if it was.</param>
public sealed record MachineInfo(
    Guid Id,
    string TenantId,
    string Label,
    string Policy,
    Joiners Joiners,
    DateTimeOffset EnrolledAt,
    Guid? EnrolledBy,
    string? Hostname,
    string? Version,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset? KeyRevokedAt);
