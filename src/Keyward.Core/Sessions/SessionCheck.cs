namespace Keyward.Core.Sessions;

/// <summary>The outcome of checking a session token.</summary>
/// <param name="Session">The session when valid.</param>
/// <param name="Failure">Why not, otherwise.</param>
/// <param name="IdleExpiresAt">When the session will idle out if unused (valid sessions only).</param>
public readonly record struct SessionCheck(SessionInfo? Session, SessionFailure? Failure, DateTimeOffset IdleExpiresAt)
{
    /// <summary>True when the token is valid.</summary>
    public bool IsValid => Session is not null;
}
