namespace Keyward.Core.Sessions;

/// <summary>Codes and messages for <see cref="SessionFailure"/>.</summary>
public static class SessionFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(SessionFailure failure) => failure switch
    {
        SessionFailure.Expired => "session_expired",
        SessionFailure.IdleExpired => "session_idle_expired",
        SessionFailure.LoggedOut => "session_logged_out",
        SessionFailure.Revoked => "session_revoked",
        SessionFailure.AuthenticatorRemoved => "session_authenticator_removed",
        SessionFailure.AccountDisabled => "session_account_disabled",
        _ => "session_invalid",
    };

    /// <summary>The plain message.</summary>
    public static string Message(SessionFailure failure) => failure switch
    {
        SessionFailure.Expired => "The session reached its maximum lifetime. Sign in again.",
        SessionFailure.IdleExpired => "The session was idle too long. Sign in again.",
        SessionFailure.LoggedOut => "The session was ended by signing out.",
        SessionFailure.Revoked => "The session was revoked.",
        SessionFailure.AuthenticatorRemoved => "The security key that opened this session was removed.",
        SessionFailure.AccountDisabled => "The account was disabled by an admin. Ask an admin to enable it.",
        _ => "The session token is malformed or unknown.",
    };

    internal static SessionFailure FromReason(string? reason) => reason switch
    {
        RevocationReasons.Logout => SessionFailure.LoggedOut,
        RevocationReasons.AuthenticatorRemoved => SessionFailure.AuthenticatorRemoved,
        RevocationReasons.AccountDisabled => SessionFailure.AccountDisabled,
        _ => SessionFailure.Revoked,
    };
}
