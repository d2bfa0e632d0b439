using Keyward.Core.Agents;

namespace Keyward.Server.Agents;

/// <summary>What the agent plane's scheme accepted for a request: the machine of a live agent key, or a well-formed enroll token to consume.</summary>
/// <param name="Machine">The machine, on <c>/agent/v1/connect</c>.</param>
/// <param name="EnrollToken">The enroll token, on <c>/agent/v1/enroll</c>; consumed by the endpoint, never logged.</param>
/// <param name="AdHocSessionId">On <c>/agent/v1/connect</c> with a support code (already consumed): the one support session the agent serves.</param>
internal sealed record AgentFeature(MachineInfo? Machine, string? EnrollToken, Guid? AdHocSessionId = null)
{
    /// <inheritdoc/>
    public override string ToString() => Machine is not null ? $"machine {Machine.Id}" : AdHocSessionId is { } s ? $"ad-hoc agent of support session {s}" : "enroll token (redacted)";
}
