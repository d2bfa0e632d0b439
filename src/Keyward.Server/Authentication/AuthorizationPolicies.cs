namespace Keyward.Server.Authentication;

/// <summary>Named authorization policies.</summary>
internal static class AuthorizationPolicies
{
    /// <summary>A valid session.</summary>
    public const string Session = "keyward:session";

    /// <summary>A valid session of an admin.</summary>
    public const string Admin = "keyward:admin";

    /// <summary>The policy of a proxied route.</summary>
    public static string Route(string routeId) => "keyward:route:" + routeId;
}
