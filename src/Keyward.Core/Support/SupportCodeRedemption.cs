namespace Keyward.Core.Support;

/// <summary>The outcome of consuming a support code: its support session when this caller consumed it, otherwise why not.</summary>
/// <param name="SupportSessionId">The session the code was issued for.</param>
/// <param name="AccountId">The technician who issued it.</param>
/// <param name="Failure">Why not.</param>
public readonly record struct SupportCodeRedemption(Guid? SupportSessionId, Guid? AccountId, SupportCodeFailure? Failure)
{
    /// <summary>True when this caller consumed the code.</summary>
    public bool Succeeded => SupportSessionId is not null;
}
