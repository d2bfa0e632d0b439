using Keyward.Server.Http;

namespace Keyward.Server.Handoff;

/// <summary>
/// The first leg of the handoff, on an app host, for a browser navigation without a valid app cookie: keep a random
/// verifier in the host's pre-auth cookie and send the browser to Keyward's origin with its challenge, the host and
/// the path to come back to.
/// </summary>
internal static class HandoffStart
{
    /// <summary>Sets the pre-auth cookie and answers 302 to <c>{PublicOrigin}/.keyward/handoff?host=…&amp;challenge=…&amp;return=…</c>.</summary>
    public static void Redirect(HttpContext context, RequestHost host, string keywardOrigin)
    {
        var verifier = HandoffChallenge.NewVerifier();
        var response = context.Response;
        response.Cookies.Append(HandoffDefaults.PreCookieName, verifier, new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = HandoffDefaults.PreCookieLifetime,
        });

        var request = context.Request;
        var back = request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        if (!ReturnPath.IsSafe(back))
        {
            back = "/";
        }

        HandoffDefaults.NoStore(response);
        response.Redirect(keywardOrigin + HandoffDefaults.HandoffPath
            + "?host=" + Uri.EscapeDataString(host.Name)
            + "&challenge=" + HandoffChallenge.Of(verifier)
            + "&return=" + Uri.EscapeDataString(back));
    }

    /// <summary>A top-level page load: GET or HEAD that accepts HTML, with no credential header and no upgrade.</summary>
    public static bool IsBrowserNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Authorization.Count == 0
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !request.Headers.ContainsKey("Upgrade");
}
