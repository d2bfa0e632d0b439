using System.Security.Authentication;

namespace Keyward.Cli.Broker;

/// <summary>How the client commands word a TLS handshake that failed on Keyward's certificate: what is wrong and what to pass.</summary>
internal static class TlsFailure
{
    public static string Describe(AuthenticationException failure, Uri server, FileInfo? caCert)
    {
        // Without --cacert the system's check ran and names its findings (SslPolicyErrors) in the message; with it,
        // CaTrust.Only refused the name or the chain without saying which.
        var nameMismatch = failure.Message.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal);
        if (caCert is not null)
        {
            return $"The server's certificate at {server.Authority} is not one the CA in {caCert.FullName} issued for {server.Host}: "
                + "check that --cacert is that Keyward's <data>/tls/ca.pem and that --server uses a name its certificate carries (localhost, the Keyward:PublicOrigin host or Keyward:Tls:HostNames).";
        }

        return nameMismatch
            ? $"The server's certificate does not name {server.Host}: use a name it carries in --server (localhost, the Keyward:PublicOrigin host or Keyward:Tls:HostNames), and pass --cacert <data>/tls/ca.pem if it comes from Keyward's local CA."
            : $"The server's certificate at {server.Authority} is not trusted: pass --cacert <data>/tls/ca.pem (Keyward's local CA, in its data directory).";
    }
}
