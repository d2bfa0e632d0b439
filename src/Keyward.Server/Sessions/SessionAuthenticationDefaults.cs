namespace Keyward.Server.Sessions;

/// <summary>Names used by the session scheme.</summary>
internal static class SessionAuthenticationDefaults
{
    public const string Scheme = "KeywardSession";

    /// <summary>The session cookie: the __Host- prefix pins it to this origin, Secure, path /.</summary>
    public const string CookieName = "__Host-keyward-session";
}
