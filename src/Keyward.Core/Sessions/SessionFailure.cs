namespace Keyward.Core.Sessions;

/// <summary>Why a session token was refused. Each has a stable code (<see cref="SessionFailures.Code"/>).</summary>
public enum SessionFailure
{
    /// <summary>Malformed, tampered, or unknown.</summary>
    Invalid = 1,
    /// <summary>Past its absolute lifetime.</summary>
    Expired,
    /// <summary>Unused for longer than the idle timeout.</summary>
    IdleExpired,
    /// <summary>Ended by logout.</summary>
    LoggedOut,
    /// <summary>Revoked by its owner or an admin.</summary>
    Revoked,
    /// <summary>The authenticator that created it was removed.</summary>
    AuthenticatorRemoved,
    /// <summary>Its account was disabled by an admin.</summary>
    AccountDisabled,
}
