namespace Keyward.Core.Agents;

/// <summary>An enroll token as created. Never holds the token itself.</summary>
/// <param name="Id">The token's row id.</param>
/// <param name="Label">The label of the machine it enrolls.</param>
/// <param name="Policy">The machine's policy.</param>
/// <param name="Joiners">Who may join the machine's support sessions.</param>
/// <param name="ExpiresAt">Its expiry.</param>
public sealed record EnrollTokenInfo(Guid Id, string Label, string Policy, Joiners Joiners, DateTimeOffset ExpiresAt);
