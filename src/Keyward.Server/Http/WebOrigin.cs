namespace Keyward.Server.Http;

/// <summary>
/// Web origins in one spelling (RFC 6454 §6.1, as browsers serialize them): scheme and host lowercased, the port only
/// when it is not the scheme's default, no path and no trailing slash. Configured origins (<c>Keyward:PublicOrigin</c>,
/// a route's <c>WebSocket:AllowedOrigins</c>) and the <c>Origin</c> headers compared with them are normalized the same
/// way, so <c>https://Host:443/</c> and <c>https://host</c> are one origin.
/// </summary>
internal static class WebOrigin
{
    /// <summary>
    /// The normalized origin, or null with <paramref name="problem"/> saying what is wrong: not an absolute http(s) URL,
    /// or one with user info, a path, a query, a fragment or a wildcard.
    /// </summary>
    public static string? Normalize(string? value, out string? problem)
    {
        problem = value switch
        {
            null or "" => "it is empty",
            _ when value.Contains('*', StringComparison.Ordinal) => "wildcards are not origins; list each origin",
            _ when value.Any(char.IsWhiteSpace) => "it contains white space",
            _ => null,
        };
        if (problem is not null)
        {
            return null;
        }

        if (value is null || !value.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = "it is not an absolute http or https URL";
            return null;
        }

        // Read from the text as written: Uri would quietly fold "/." or "/a/.." into "/".
        var afterScheme = value![(value.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var slash = afterScheme.IndexOfAny(['/', '?', '#']);
        var path = slash < 0 || afterScheme[slash] != '/' ? string.Empty : afterScheme[slash..].Split('?', '#')[0];
        problem = uri.UserInfo.Length > 0 || value.Contains('@', StringComparison.Ordinal) ? "user info is not part of an origin"
            : path is not ("" or "/") ? "a path is not part of an origin"
            : uri.Query.Length > 0 || value.Contains('?', StringComparison.Ordinal) ? "a query is not part of an origin"
            : uri.Fragment.Length > 0 || value.Contains('#', StringComparison.Ordinal) ? "a fragment is not part of an origin"
            : null;
        if (problem is not null)
        {
            return null;
        }

        // Uri lowercases the scheme and a DNS host and knows each scheme's default port; IdnHost is the ASCII form
        // browsers send. An IPv6 literal keeps its brackets.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{uri.Scheme}://{host.ToLowerInvariant()}{port}";
    }

    /// <summary>The normalized origin, or null when <paramref name="value"/> is not one.</summary>
    public static string? Normalize(string? value) => Normalize(value, out _);
}
