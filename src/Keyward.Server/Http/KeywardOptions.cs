namespace Keyward.Server.Http;

/// <summary>
/// The broker's own identity and place (<c>Keyward</c> section): data directory, listen address, public origin and RP
/// ID. Each feature slice binds its own section (<c>Keyward:Sessions</c>, <c>Keyward:SignIn</c>, <c>Keyward:Routes</c>,
/// …); docs/configuration.md lists every setting with its default.
/// </summary>
public sealed class KeywardOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward";

    /// <summary>Where the database, keys and TLS material live (made absolute when bound).</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Address and port to listen on.</summary>
    public string Listen { get; set; } = "https://127.0.0.1:8443";

    /// <summary>The origin browsers use to reach Keyward (WebAuthn origin, assertion issuer). Default: https://localhost:&lt;port of Listen&gt;.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>WebAuthn RP ID. Default: the host of <see cref="PublicOrigin"/>.</summary>
    public string? RpId { get; set; }

    /// <summary>Serve plain HTTP. Refused outside Development.</summary>
    public bool DangerousAllowHttp { get; set; }

    /// <summary>
    /// The largest request body Keyward's own endpoints read (ceremonies, JSON), in bytes; proxied routes keep Kestrel's
    /// limit. Default 64 KiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The effective public origin, normalized (<see cref="WebOrigin"/>): <c>https://Keyward.Example:443/</c> is <c>https://keyward.example</c>.</summary>
    public string EffectiveOrigin => ConfiguredOrigin is var origin && WebOrigin.Normalize(origin) is { } normalized ? normalized : origin.TrimEnd('/');

    private string ConfiguredOrigin => PublicOrigin ?? $"{(DangerousAllowHttp && Listen.StartsWith("http://", StringComparison.Ordinal) ? "http" : "https")}://localhost:{ListenPort}";

    /// <summary>The effective RP ID.</summary>
    public string EffectiveRpId => RpId ?? new Uri(EffectiveOrigin).Host;

    private int ListenPort => Uri.TryCreate(Listen, UriKind.Absolute, out var listen) ? listen.Port : 8443;

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    /// <param name="isDevelopment">Whether the host runs in the Development environment.</param>
    public IReadOnlyList<string> Validate(bool isDevelopment)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("https" or "http"))
        {
            errors.Add("Keyward:Listen must be an absolute https URL such as https://127.0.0.1:8443.");
        }
        else if (listen.Scheme == "http" && !DangerousAllowHttp)
        {
            errors.Add("Keyward:Listen is plain http; use https, or set Keyward:DangerousAllowHttp in Development only.");
        }
        else if (listen.Host is not "localhost" && !System.Net.IPAddress.TryParse(listen.Host.Trim('[', ']'), out _))
        {
            errors.Add("Keyward:Listen must name an IP address or localhost (e.g. https://0.0.0.0:8443); put DNS names in Keyward:PublicOrigin.");
        }

        if (DangerousAllowHttp && !isDevelopment)
        {
            errors.Add("Keyward:DangerousAllowHttp is refused outside the Development environment.");
        }

        if (PublicOrigin is not null && WebOrigin.Normalize(PublicOrigin, out var problem) is null)
        {
            errors.Add($"Keyward:PublicOrigin must be scheme://host[:port], with no path, query, user info or wildcard ({problem}), e.g. https://keyward.example.com.");
        }

        if (MaxRequestBodyBytes is < 4096 or > 1024 * 1024)
        {
            errors.Add("Keyward:MaxRequestBodyBytes must be between 4096 and 1048576 (bytes; default 65536).");
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add("Keyward:DataDirectory must name a directory (default ./data).");
        }

        return errors;
    }
}
