namespace Keyward.Server.Tls;

/// <summary>TLS settings (<c>Keyward:Tls</c>).</summary>
public sealed class TlsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Tls";

    /// <summary>PEM certificate (chain) to serve. Unset: a local CA and server certificate are generated in the data directory.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key for <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Extra DNS names or IP addresses for the generated server certificate.</summary>
    public List<string> HostNames { get; set; } = [];

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CertificateFile is null != (KeyFile is null))
        {
            errors.Add("Keyward:Tls:CertificateFile and Keyward:Tls:KeyFile go together: set both, or neither to use the generated local CA.");
        }

        return errors;
    }
}
