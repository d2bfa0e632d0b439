namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>The routes every test Keyward has, all to the one echo upstream.</summary>
internal static class TestRoutes
{
    /// <summary>A second page origin that the WebSocket routes allow besides Keyward's own.</summary>
    public const string OtherAllowedOrigin = "https://app.example.test";

    /// <summary>How the routes configure <see cref="OtherAllowedOrigin"/>: upper case, default port, trailing slash.</summary>
    public const string OtherAllowedOriginAsConfigured = "HTTPS://App.Example.Test:443/";

    public const string Echo = "echo";
    public const string Other = "other";
    public const string Plain = "plain";
    public const string Cookie = "cookie";
    public const string Internal = "internal";
    public const string Limited = "limited";
    public const string AdminOnly = "adminonly";

    /// <summary>The cookie route is a browser route on this host: cookie upgrades take its app cookie.</summary>
    public const string CookieHost = "ws.localhost";

    public const int LimitedClientBytes = 1024;
    public const int LimitedUpstreamBytes = 2048;
    public const int LimitedRate = 20;

    public static string PathOf(string route) => route switch
    {
        Echo => "/ws/echo",
        Other => "/ws/other",
        Plain => "/plain",
        Cookie => "/ws/cookie",
        Internal => "/ws/internal",
        Limited => "/ws/limited",
        AdminOnly => "/ws/adminonly",
        _ => throw new ArgumentOutOfRangeException(nameof(route)),
    };

    public static IEnumerable<string> Arguments(Uri upstream, string origin, string? upstreamCaFile = null)
    {
        foreach (var route in new[] { Echo, Other, Plain, Cookie, Internal, Limited, AdminOnly })
        {
            var prefix = $"--Keyward:Routes:{route}";
            yield return $"{prefix}:Path={PathOf(route)}/{{**rest}}";
            yield return $"{prefix}:Upstream={upstream.GetLeftPart(UriPartial.Authority)}";
            if (upstreamCaFile is not null)
            {
                yield return $"{prefix}:UpstreamCaFile={upstreamCaFile}";
            }

            if (route == Plain)
            {
                continue;
            }

            yield return $"{prefix}:WebSocket:Enabled=true";
            if (route == Cookie)
            {
                // Only the app's own origin (the default for a browser route).
                yield return $"{prefix}:Host={CookieHost}";
                yield return $"{prefix}:WebSocket:AllowSessionCookie=true";
                continue;
            }

            yield return $"{prefix}:WebSocket:AllowedOrigins:0={origin}";
            // Configured in another spelling of the same origin: compared normalized, it is OtherAllowedOrigin.
            yield return $"{prefix}:WebSocket:AllowedOrigins:1={OtherAllowedOriginAsConfigured}";
            switch (route)
            {
                case Internal:
                    yield return $"{prefix}:Internal=true";
                    break;
                case Limited:
                    yield return $"{prefix}:WebSocket:MaxClientMessageBytes={LimitedClientBytes}";
                    yield return $"{prefix}:WebSocket:MaxUpstreamMessageBytes={LimitedUpstreamBytes}";
                    yield return $"{prefix}:WebSocket:MaxMessagesPerSecond={LimitedRate}";
                    yield return $"{prefix}:WebSocket:MaxLifetime=00:10:00";
                    break;
                case AdminOnly:
                    yield return $"{prefix}:Role=admin";
                    break;
            }
        }
    }
}
