namespace Keyward.Server.Handoff;

/// <summary>The names and paths of the one-time handoff from Keyward's origin to an app host (docs/security.md).</summary>
internal static class HandoffDefaults
{
    /// <summary>An app host's session cookie (<c>kwp_</c>): host-only by its <c>__Host-</c> prefix, so no other host sees it.</summary>
    public const string AppCookieName = "__Host-keyward-app";

    /// <summary>An app host's pre-auth cookie: the verifier whose SHA-256 the handoff code is bound to.</summary>
    public const string PreCookieName = "__Host-keyward-pre";

    /// <summary>On Keyward's origin: mints a code for a signed-in browser.</summary>
    public const string HandoffPath = "/.keyward/handoff";

    /// <summary>On an app host: redeems the code and sets the app cookie.</summary>
    public const string CallbackPath = "/.keyward/callback";

    /// <summary>How long the pre-auth cookie lives: long enough to sign in on Keyward's origin.</summary>
    public static readonly TimeSpan PreCookieLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Keyward's answers on this path never go into a cache, and never leak their URL (a code) as a referrer.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
