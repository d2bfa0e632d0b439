namespace Keyward.Core.Sessions;

/// <summary>Why a session was ended, as stored.</summary>
public static class RevocationReasons
{
    /// <summary>Its owner signed out.</summary>
    public const string Logout = "logout";
    /// <summary>Its owner or an admin revoked it.</summary>
    public const string Revoked = "revoked";
    /// <summary>The authenticator that opened it was removed.</summary>
    public const string AuthenticatorRemoved = "authenticator_removed";
    /// <summary>A recovery code or a break-glass setup code registered a new key for the account: every session ends.</summary>
    public const string Recovery = "recovery";
    /// <summary>An admin disabled the account: every session ends, and none may open until it is enabled again.</summary>
    public const string AccountDisabled = "account_disabled";
}
