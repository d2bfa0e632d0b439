namespace Keyward.Server.Support;

/// <summary>A consumed support code: the ad-hoc support session its agent is bound to.</summary>
/// <param name="SupportSessionId">The support session.</param>
/// <param name="TechnicianAccountId">The technician who issued the code.</param>
internal sealed record SupportCodeBinding(Guid SupportSessionId, Guid TechnicianAccountId);
