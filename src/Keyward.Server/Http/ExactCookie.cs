namespace Keyward.Server.Http;

/// <summary>
/// Reads one of Keyward's cookies by its exact name, from the raw <c>Cookie</c> header. ASP.NET Core's
/// <c>Request.Cookies</c> matches names ignoring case and lets a later duplicate win, and some browsers apply the
/// <c>__Host-</c> rules only to that exact spelling: a same-site page (a sibling subdomain, script on another app host)
/// could plant <c>__host-keyward-app=…; Domain=example.com</c> beside or instead of the real cookie and have it read as
/// the victim's (login CSRF, session fixation). Here the name must match exactly and appear once; a second cookie of
/// that name, or another spelling of it, is a <see cref="CookieRead.Conflict"/>, never a credential.
/// </summary>
internal static class ExactCookie
{
    /// <summary>The cookie named exactly <paramref name="name"/>: absent, its value, or a conflict.</summary>
    public static CookieRead Read(HttpRequest request, string name)
    {
        string? found = null;
        foreach (var header in request.Headers.Cookie)
        {
            if (header is null)
            {
                continue;
            }

            var text = header.AsSpan();
            foreach (var range in text.Split(';'))
            {
                var pair = text[range].Trim();
                var equals = pair.IndexOf('=');
                var pairName = (equals < 0 ? pair : pair[..equals]).Trim();
                if (!pairName.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // Another spelling of the name, or the name twice: someone else set one of them.
                if (!pairName.SequenceEqual(name) || found is not null || equals < 0)
                {
                    return CookieRead.Conflict;
                }

                var value = pair[(equals + 1)..].Trim();
                if (value is ['"', .. var inner, '"'])
                {
                    value = inner;
                }

                found = value.ToString();
            }
        }

        return found is null ? CookieRead.Absent : new CookieRead(found, IsConflict: false);
    }
}

/// <summary>What <see cref="ExactCookie.Read"/> found.</summary>
/// <param name="Value">The value, when the cookie is there exactly once under its exact name.</param>
/// <param name="IsConflict">Another spelling of the name, or the name twice.</param>
internal readonly record struct CookieRead(string? Value, bool IsConflict)
{
    public static CookieRead Absent => default;

    public static CookieRead Conflict => new(null, IsConflict: true);
}
