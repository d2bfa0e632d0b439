namespace Keyward.Server.Proxy;

/// <summary>
/// Request headers a client must never get to an upstream: Keyward's own, the session credential, and the identity
/// headers other proxies use (an upstream that once sat behind one may still believe them).
/// </summary>
internal static class IdentityHeaders
{
    public static readonly string[] Removed =
    [
        "Authorization",
        "Proxy-Authorization",
        "X-Forwarded-User",
        "X-Forwarded-Email",
        "X-Forwarded-Preferred-Username",
        "X-Forwarded-Groups",
        "X-Forwarded-Access-Token",
        "X-Auth-Request-User",
        "X-Auth-Request-Email",
        "X-Auth-Request-Preferred-Username",
        "X-Auth-Request-Groups",
        "X-Auth-Request-Access-Token",
        "X-Remote-User",
        "Remote-User",
        "X-User",
        "X-Email",
        "X-Pomerium-Jwt-Assertion",
        "Cf-Access-Jwt-Assertion",
    ];

    /// <summary>True for any header that starts with Keyward's prefix.</summary>
    public static bool IsKeyward(string name) => name.StartsWith("Keyward-", StringComparison.OrdinalIgnoreCase);
}
