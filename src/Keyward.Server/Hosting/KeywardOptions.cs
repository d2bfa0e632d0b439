using Keyward.Core.Accounts;
using Keyward.Core.Storage;
using SessionOptions = Keyward.Core.Sessions.SessionOptions;

namespace Keyward.Server.Hosting;

/// <summary>Every setting of the broker (<c>Keyward</c> section). docs/configuration.md lists them with defaults.</summary>
public sealed class KeywardOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward";

    /// <summary>Where the database, keys and TLS material live.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Address and port to listen on.</summary>
    public string Listen { get; set; } = "https://127.0.0.1:8443";

    /// <summary>The origin browsers use to reach Keyward (WebAuthn origin, assertion issuer). Default: https://localhost:&lt;port of Listen&gt;.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>WebAuthn RP ID. Default: the host of <see cref="PublicOrigin"/>.</summary>
    public string? RpId { get; set; }

    /// <summary>TLS certificate settings.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Serve plain HTTP. Refused outside Development; logs a warning.</summary>
    public bool DangerousAllowHttp { get; set; }

    /// <summary>Database settings.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Session lifetimes.</summary>
    public SessionOptions Sessions { get; set; } = new();

    /// <summary>Sign-in and registration settings.</summary>
    public SignInOptions SignIn { get; set; } = new();

    /// <summary>Identity assertion settings.</summary>
    public AssertionOptions Assertions { get; set; } = new();

    /// <summary>Proxied routes by id.</summary>
    public Dictionary<string, RouteOptions> Routes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The effective public origin.</summary>
    public string EffectiveOrigin => (PublicOrigin ?? $"{(DangerousAllowHttp && Listen.StartsWith("http://", StringComparison.Ordinal) ? "http" : "https")}://localhost:{new Uri(Listen).Port}").TrimEnd('/');

    /// <summary>The effective RP ID.</summary>
    public string EffectiveRpId => RpId ?? new Uri(EffectiveOrigin).Host;

    /// <summary>Returns every problem, each saying how to fix it.</summary>
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

        if (DangerousAllowHttp && !isDevelopment)
        {
            errors.Add("Keyward:DangerousAllowHttp is refused outside the Development environment.");
        }

        if (PublicOrigin is not null && (!Uri.TryCreate(PublicOrigin, UriKind.Absolute, out var origin) || origin.AbsolutePath != "/"))
        {
            errors.Add("Keyward:PublicOrigin must be scheme://host[:port], with no path.");
        }

        if (Tls.CertificateFile is null != (Tls.KeyFile is null))
        {
            errors.Add("Keyward:Tls:CertificateFile and Keyward:Tls:KeyFile go together: set both, or neither to use the generated local CA.");
        }

        errors.AddRange(Sessions.Validate());
        errors.AddRange(SignIn.Validate());
        errors.AddRange(Assertions.Validate());
        foreach (var (id, route) in Routes)
        {
            if (string.IsNullOrWhiteSpace(id) || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                errors.Add($"Keyward:Routes:{id}: a route id may use letters, digits, '-', '_' and '.'.");
            }

            if (!route.Path.StartsWith('/'))
            {
                errors.Add($"Keyward:Routes:{id}:Path must start with '/', e.g. /resource/{{**rest}}.");
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

            errors.AddRange(route.WebSocket.Validate(id, route.Internal));
        }

        return errors;
    }
}

/// <summary>TLS settings (<c>Keyward:Tls</c>).</summary>
public sealed class TlsOptions
{
    /// <summary>PEM certificate (chain) to serve. Unset: a local CA and server certificate are generated in the data directory.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key for <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Extra DNS names or IP addresses for the generated server certificate.</summary>
    public List<string> HostNames { get; set; } = [];
}

/// <summary>Sign-in and registration settings (<c>Keyward:SignIn</c>).</summary>
public sealed class SignInOptions
{
    /// <summary>How long a WebAuthn ceremony may take between options and response.</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of the first-start setup code.</summary>
    public TimeSpan SetupCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of invites.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Sign-in and registration attempts per client address per minute.</summary>
    public int PerAddressPerMinute { get; set; } = 30;

    /// <summary>Sign-in attempts per account per minute.</summary>
    public int PerAccountPerMinute { get; set; } = 10;

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CeremonyLifetime < TimeSpan.FromSeconds(30) || CeremonyLifetime > TimeSpan.FromMinutes(30))
        {
            errors.Add("Keyward:SignIn:CeremonyLifetime must be between 00:00:30 and 00:30:00.");
        }

        if (SetupCodeLifetime <= TimeSpan.Zero || InviteLifetime <= TimeSpan.Zero)
        {
            errors.Add("Keyward:SignIn:SetupCodeLifetime and InviteLifetime must be positive.");
        }

        if (PerAddressPerMinute < 1 || PerAccountPerMinute < 1)
        {
            errors.Add("Keyward:SignIn:PerAddressPerMinute and PerAccountPerMinute must be at least 1.");
        }

        return errors;
    }
}

/// <summary>Identity assertion settings (<c>Keyward:Assertions</c>).</summary>
public sealed class AssertionOptions
{
    /// <summary>Lifetime of one assertion (at most 60 s).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a new signing key is made.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a retired key stays published so in-flight assertions still verify.</summary>
    public TimeSpan KeyOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Lifetime < TimeSpan.FromSeconds(5) || Lifetime > TimeSpan.FromSeconds(60))
        {
            errors.Add("Keyward:Assertions:Lifetime must be between 00:00:05 and 00:01:00.");
        }

        if (KeyRotationInterval < TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:Assertions:KeyRotationInterval must be at least 01:00:00.");
        }

        if (KeyOverlap < Lifetime)
        {
            errors.Add("Keyward:Assertions:KeyOverlap must be at least the assertion Lifetime.");
        }

        return errors;
    }
}
