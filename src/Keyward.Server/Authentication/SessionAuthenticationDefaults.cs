namespace Keyward.Server.Authentication;

/// <summary>Names used by the session scheme.</summary>
internal static class SessionAuthenticationDefaults
{
    public const string Scheme = "KeywardSession";

    /// <summary>The session cookie: the __Host- prefix pins it to this origin, Secure, path /.</summary>
    public const string CookieName = "__Host-keyward-session";

    /// <summary>HttpContext.Items key holding the failure code of the last authentication.</summary>
    public const string FailureItem = "keyward.session.failure";

    /// <summary>HttpContext.Items key holding the code for a 403.</summary>
    public const string ForbiddenItem = "keyward.session.forbidden";

    public const string SessionIdClaim = "sid";
    public const string AccountIdClaim = "sub";
    public const string RoleClaim = "role";
    public const string UserVerifiedClaim = "uv";
}
