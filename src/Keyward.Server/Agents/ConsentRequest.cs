namespace Keyward.Server.Agents;

/// <summary>What the person at the machine is asked (<see cref="AgentLink.AskConsentAsync"/>).</summary>
/// <param name="SupportSessionId">The support session that asks.</param>
/// <param name="Technician">Who is asking, as shown to the person (an account name).</param>
/// <param name="Reason">Why, as the technician wrote it.</param>
/// <param name="Timeout">How long the person has; null for <see cref="DefaultTimeout"/>. The relay passes <c>Support:ConsentTimeout</c>, the one setting.</param>
internal sealed record ConsentRequest(Guid SupportSessionId, string Technician, string Reason, TimeSpan? Timeout = null)
{
    /// <summary>The timeout when none is given (the default of <c>Support:ConsentTimeout</c>).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}
