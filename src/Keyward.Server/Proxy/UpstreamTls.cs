using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.Server.Proxy;

/// <summary>
/// A route's upstream TLS, for proxied HTTP (<see cref="UpstreamHttpClientFactory"/>) and the WebSocket leg alike:
/// trust only the route's private CA when it names one (for that route only), and present its client certificate for
/// mutual TLS. Routes without either use the system trust store.
/// </summary>
internal static class UpstreamTls
{
    public static void Configure(SslClientAuthenticationOptions ssl, RouteOptions route)
    {
        if (route.UpstreamCaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
            {
                // Name mismatch or no certificate is never forgiven; only the chain is judged against the route's CA.
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

                // Intermediates the upstream sent may complete the path; only the route's CA can anchor it. The leaf
                // must be good for server authentication, so a client certificate from the same CA cannot pose as it.
                if (presented is not null)
                {
                    chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(e => e.Certificate).ToArray());
                }

                chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
                using var leaf = new X509Certificate2(certificate);
                return chain.Build(leaf);
            };
        }

        if (route.ClientCertificateFile is { } certFile && route.ClientKeyFile is { } keyFile)
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(certFile, keyFile)];
        }
    }
}
