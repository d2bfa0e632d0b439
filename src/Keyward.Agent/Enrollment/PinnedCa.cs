using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.Agent.Enrollment;

/// <summary>
/// The agent's TLS check: the server's certificate must chain to the CA pinned at enrollment and nothing else (the
/// system trust store is not consulted), and must carry the server's name. Revocation is not checked: a private CA
/// publishes no CRL.
/// </summary>
public static class PinnedCa
{
    /// <summary>A certificate check that accepts only chains ending at the CA in <paramref name="caFile"/> (PEM).</summary>
    public static RemoteCertificateValidationCallback Only(string caFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        if (roots.Count == 0)
        {
            throw new AgentStateException($"{caFile} holds no PEM certificate: pass Keyward's CA (<data>/tls/ca.pem).");
        }

        return (_, certificate, _, errors) =>
        {
            // A name mismatch or a missing certificate is never forgiven; the chain is built again against the pin only.
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
