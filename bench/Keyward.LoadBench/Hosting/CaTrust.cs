using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// Trusts one private CA and nothing else, the way Keyward trusts a route's <c>UpstreamCaFile</c>: the host name
/// must match and the chain must end at that CA. Only the TLS handshake pays for it, so keep-alive traffic does not.
/// </summary>
internal static class CaTrust
{
    public static RemoteCertificateValidationCallback Only(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
    }
}
