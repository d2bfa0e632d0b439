namespace Keyward.Server.Proxy;

/// <summary>One proxied route (<c>Keyward:Routes:&lt;id&gt;</c>). The id is the assertion's <c>aud</c>.</summary>
public sealed class RouteOptions
{
    /// <summary>
    /// The path pattern Keyward answers for this route, e.g. <c>/resource/{**rest}</c>. Required for a path route (no
    /// <see cref="Host"/>); optional for a browser route, where it defaults to every path of the host.
    /// </summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// Makes this a browser route served on its own host (a DNS name such as <c>counter.example.com</c>; no scheme, port,
    /// path or wildcard), authenticated by that host's app cookie (the one-time handoff). Without it the route is a path
    /// on Keyward's own origin, which accepts only <c>Authorization: Bearer</c>. See docs/security.md.
    /// </summary>
    public string? Host { get; set; }

    /// <summary>The path pattern YARP matches: <see cref="Path"/>, or every path of a browser route's host.</summary>
    internal string EffectivePath => Path.Length == 0 && Host is not null ? "/{**catch-all}" : Path;

    /// <summary>The upstream base address, http or https, e.g. <c>https://10.0.0.5:8080</c>.</summary>
    public string Upstream { get; set; } = string.Empty;

    /// <summary>PEM file of the CA that issued the upstream's certificate (https upstreams with a private CA).</summary>
    public string? UpstreamCaFile { get; set; }

    /// <summary>PEM certificate Keyward presents to the upstream (mutual TLS).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM private key for <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Require that sign-in verified the user (PIN or biometric), not only presence.</summary>
    public bool RequireUserVerification { get; set; }

    /// <summary>Require this account role (e.g. <c>admin</c>); null for any signed-in account.</summary>
    public string? Role { get; set; }

    /// <summary>
    /// Request headers to strip on this route, besides the ones every route strips: names (<c>X-Tenant-Id</c>) or
    /// prefixes ending in '*' (<c>X-Tenant-*</c>), compared case-insensitively.
    /// </summary>
    public List<string> StripRequestHeaders { get; set; } = [];

    /// <summary>WebSocket upgrades on this route (off by default): origins, limits, lifetime. See docs/websockets.md.</summary>
    public RouteWebSocketOptions WebSocket { get; set; } = new();

    /// <summary>
    /// Accept unsafe methods (POST, PUT, PATCH, DELETE, …) authenticated by Keyward's cookie from pages of other
    /// origins (off by default: they are refused with 403 <c>cross_origin_request</c>, the CSRF defence). Turn it on only
    /// for an upstream that defends itself against cross-site request forgery. See docs/security.md.
    /// </summary>
    public bool AllowCrossOriginUnsafe { get; set; }

    /// <summary>
    /// Also accept Keyward's internal credential (<c>kwn_</c>, from loopback only) on WebSocket upgrades here, for
    /// processes Keyward itself spawns. See docs/internal-credential.md.
    /// </summary>
    public bool Internal { get; set; }
}
