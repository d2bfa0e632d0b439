using System.Security.Cryptography.X509Certificates;

namespace Keyward.Server.Tls;

/// <summary>
/// The operator's own certificate (<c>Keyward:Tls:CertificateFile</c> and <c>KeyFile</c>): the server certificate, and
/// the intermediate certificates that follow it in the same PEM file (a CA's "fullchain.pem"), which Keyward sends in
/// the handshake. Without them a client that trusts only the root (curl, a service behind Keyward fetching the JWKS)
/// cannot build the chain and refuses the connection.
/// </summary>
internal static class OperatorCertificate
{
    /// <summary>Reads the certificate with its key, and every other certificate of <paramref name="certificateFile"/>.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) Load(string certificateFile, string keyFile)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var other in all)
        {
            if (other.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
            {
                other.Dispose();
            }
            else
            {
                intermediates.Add(other);
            }
        }

        return (certificate, intermediates);
    }
}
