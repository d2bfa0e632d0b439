namespace Keyward.Server.Agents;

/// <summary>What the person at the machine is asked (<see cref="AgentLink.AskConsentAsync"/>).</summary>
/// <param name="SupportSessionId">The support session that asks.</param>
/// <param name="Technician">Who is asking, as shown to the person (an account name).</param>
/// <param name="Reason">Why, as the technician wrote it.</param>
/// <param name="Timeout">How long the person has; null for <see cref="AgentOptions.ConsentTimeout"/>.</param>
internal sealed record ConsentRequest(Guid SupportSessionId, string Technician, string Reason, TimeSpan? Timeout = null);
