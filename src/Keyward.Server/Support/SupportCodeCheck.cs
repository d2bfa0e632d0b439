namespace Keyward.Server.Support;

/// <summary>The limiter's answer to one support-code check.</summary>
/// <param name="Allowance">Whether, and how, the check may be made.</param>
/// <param name="Wait">When refused: how long until a check could be made.</param>
/// <param name="FirstRefusal">When refused: whether it is the address group's first refusal in its window (audited; later ones are not).</param>
internal readonly record struct SupportCodeCheck(SupportCodeAllowance Allowance, TimeSpan Wait, bool FirstRefusal);
