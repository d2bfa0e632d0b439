using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Keyward.Server.Http;

namespace Keyward.Server.Tls;

/// <summary>
/// The TLS material Keyward makes for itself when no certificate is configured: a local CA (kept in
/// <c>&lt;data&gt;/tls/ca.pem</c>, key beside it, mode 0600) and a server certificate it issues for localhost,
/// the loopback addresses and any configured host names. Clients trust the CA (<c>curl --cacert data/tls/ca.pem</c>).
/// The CA can also issue certificates for the services behind Keyward (the demo's counter uses one).
/// </summary>
public sealed class LocalCertificateAuthority
{
    private readonly string _directory;
    private readonly TimeProvider _time;

    /// <summary>Uses <c>&lt;dataDirectory&gt;/tls</c>.</summary>
    public LocalCertificateAuthority(string dataDirectory, TimeProvider time)
    {
        _directory = Path.Combine(dataDirectory, "tls");
        _time = time;
    }

    /// <summary>Path of the CA certificate (PEM) that clients should trust.</summary>
    public string CaCertificatePath => Path.Combine(_directory, "ca.pem");

    private string CaKeyPath => Path.Combine(_directory, "ca.key");

    /// <summary>Loads the CA, creating it on first use.</summary>
    public X509Certificate2 LoadOrCreateCa()
    {
        if (File.Exists(CaCertificatePath) && File.Exists(CaKeyPath))
        {
            return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
        }

        PrivateDirectory.Create(_directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Keyward Local CA {RandomNumberGenerator.GetHexString(8, lowercase: true)}, O=Keyward", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = _time.GetUtcNow();
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        SecretFile.Write(CaKeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CaCertificatePath, ca.ExportCertificatePem() + "\n");
        return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
    }

    /// <summary>
    /// Loads the server certificate for <paramref name="hostNames"/> (plus localhost and the loopback addresses),
    /// issuing a new one when none exists, it expires within 30 days, or its names are not exactly these: a name added
    /// (a new route host) must be covered, and a name removed must stop being vouched for. Returns the certificate with
    /// its private key.
    /// </summary>
    public X509Certificate2 LoadOrIssueServerCertificate(IReadOnlyCollection<string> hostNames) =>
        LoadOrIssue("server", hostNames);

    /// <summary>Issues (or reuses) a named leaf certificate, e.g. for an upstream service; returns its PEM paths.</summary>
    public (string CertificatePath, string KeyPath) IssueFiles(string name, IReadOnlyCollection<string> hostNames)
    {
        using var _ = LoadOrIssue(name, hostNames);
        return (Path.Combine(_directory, $"{name}.pem"), Path.Combine(_directory, $"{name}.key"));
    }

    private X509Certificate2 LoadOrIssue(string name, IReadOnlyCollection<string> hostNames)
    {
        var certPath = Path.Combine(_directory, $"{name}.pem");
        var keyPath = Path.Combine(_directory, $"{name}.key");
        var names = hostNames.Append("localhost").Append("127.0.0.1").Append("::1").Select(Canonical).Distinct(StringComparer.Ordinal).ToList();
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (existing.NotAfter > _time.GetUtcNow().AddDays(30).UtcDateTime && NamesOf(existing).SetEquals(names))
            {
                return existing;
            }

            existing.Dispose();
        }

        using var ca = LoadOrCreateCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(n);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = _time.GetUtcNow();
        var notAfter = now.AddDays(397) < ca.NotAfter ? now.AddDays(397) : new DateTimeOffset(ca.NotAfter);
        using var issued = request.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        SecretFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, issued.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    /// <summary>The names a certificate vouches for: its subject alternative names, canonical.</summary>
    public static HashSet<string> NamesOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                names.UnionWith(san.EnumerateDnsNames().Select(Canonical));
                names.UnionWith(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        return names;
    }

    // One spelling per name, so a set comparison is exact: DNS names lower case without a final dot, addresses as parsed.
    private static string Canonical(string name)
    {
        var trimmed = name.Trim().Trim('[', ']');
        return IPAddress.TryParse(trimmed, out var ip) ? ip.ToString() : trimmed.TrimEnd('.').ToLowerInvariant();
    }
}
