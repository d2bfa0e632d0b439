namespace Keyward.Core.Support;

/// <summary>The outcome of redeeming a join token: what it is bound to when this caller consumed it, otherwise why not.</summary>
/// <param name="Token">The consumed token.</param>
/// <param name="Failure">Why not.</param>
public readonly record struct JoinRedemption(JoinToken? Token, JoinFailure? Failure)
{
    /// <summary>True when this caller consumed the token.</summary>
    public bool Succeeded => Token is not null;
}
