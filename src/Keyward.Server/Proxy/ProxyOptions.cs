using Keyward.Core.Accounts;

namespace Keyward.Server.Proxy;

/// <summary>The proxied routes (<c>Keyward:Routes:&lt;id&gt;</c>), bound from the <c>Keyward</c> section.</summary>
public sealed class ProxyOptions
{
    /// <summary>The configuration section that holds <c>Routes</c>.</summary>
    public const string Section = "Keyward";

    /// <summary>Proxied routes by id. The id is the assertion's <c>aud</c>.</summary>
    public Dictionary<string, RouteOptions> Routes { get; set; } = new(StringComparer.Ordinal);

    // The first path segments of Keyward's own endpoints and planes: a path route there would shadow them or be
    // shadowed (and a request meant for the agent, actor or vault plane, with its key or capability, could reach an upstream).
    private static readonly string[] OwnRoots = ["api", "session", "openapi", "healthz", "readyz", ".well-known", ".keyward", "agent", "actor", "vault", "viewer", "console"];

    private static string? OwnRoot(string path)
    {
        var first = path.TrimStart('/').Split('/', 2)[0];
        return OwnRoots.FirstOrDefault(r => string.Equals(r, first, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (id, route) in Routes)
        {
            if (string.IsNullOrWhiteSpace(id) || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                errors.Add($"Keyward:Routes:{id}: a route id may use letters, digits, '-', '_' and '.'.");
            }

            if (!route.EffectivePath.StartsWith('/'))
            {
                errors.Add($"Keyward:Routes:{id}:Path must start with '/', e.g. /resource/{{**rest}}.");
            }

            if (route.Host is null && OwnRoot(route.EffectivePath) is { } root)
            {
                errors.Add($"Keyward:Routes:{id}:Path \"{route.EffectivePath}\" is under /{root}, where Keyward answers itself on its own host; choose another path, or give the route its own Host.");
            }

            if (route.Host is not null && !RouteHosts.IsValidName(route.Host))
            {
                errors.Add($"Keyward:Routes:{id}:Host \"{route.Host}\" is not a DNS name; write a host name such as counter.example.com, with no scheme, port, path or wildcard.");
            }

            if (!Uri.TryCreate(route.Upstream, UriKind.Absolute, out var upstream) || upstream.Scheme is not ("http" or "https"))
            {
                errors.Add($"Keyward:Routes:{id}:Upstream must be an absolute http or https URL.");
            }

            if (route.Role is not null && !Roles.IsKnown(route.Role))
            {
                errors.Add($"Keyward:Routes:{id}:Role \"{route.Role}\" is unknown; use admin or user, or leave it unset.");
            }

            if (route.ClientCertificateFile is null != (route.ClientKeyFile is null))
            {
                errors.Add($"Keyward:Routes:{id}: ClientCertificateFile and ClientKeyFile go together.");
            }

            foreach (var pattern in route.StripRequestHeaders)
            {
                if (!HeaderDenylist.IsValidPattern(pattern))
                {
                    errors.Add($"Keyward:Routes:{id}:StripRequestHeaders: \"{pattern}\" is neither a header name nor a Prefix-* pattern; write a name such as X-Tenant-Id, or a prefix ending in one '*' such as X-Tenant-*.");
                }
            }

            errors.AddRange(route.WebSocket.Validate(id, route.Internal, route.Host is not null));
        }

        return errors;
    }
}
