namespace Keyward.Core.Accounts;

/// <summary>Account roles. Deny what is not listed.</summary>
public static class Roles
{
    /// <summary>Can invite, revoke and administer.</summary>
    public const string Admin = "admin";

    /// <summary>Signs in and uses proxied services.</summary>
    public const string User = "user";

    /// <summary>True for a known role.</summary>
    public static bool IsKnown(string? role) => role is Admin or User;
}
