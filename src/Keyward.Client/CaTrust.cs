using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.Client;

/// <summary>
/// Trusts one private CA and nothing else, such as the local CA Keyward generates in its data directory
/// (<c>data/tls/ca.pem</c>): the host name must match and the chain must end at that CA. Only the TLS handshake pays
/// for the check, so keep-alive traffic does not.
/// </summary>
public static class CaTrust
{
    /// <summary>A certificate check that accepts only chains ending at the CA in <paramref name="caFile"/> (PEM).</summary>
    public static RemoteCertificateValidationCallback Only(string caFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile);
        return (_, certificate, _, errors) =>
        {
            // A name mismatch or a missing certificate is never forgiven; only the chain is checked our way.
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

    /// <summary>
    /// A handler for talking to Keyward: no cookie jar (the client sends its Bearer token explicitly), pooled
    /// connections renewed every five minutes, <c>*.localhost</c> and the names in <paramref name="resolution"/>
    /// connected as <see cref="HostResolution"/> says, and, when <paramref name="caFile"/> is given, only that CA
    /// trusted. Without a CA file the system's trust store applies.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(string? caFile, HostResolution? resolution = null)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };
        (resolution ?? HostResolution.Default).Apply(handler);
        if (caFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Only(caFile);
        }

        return handler;
    }

    /// <summary>An HttpClient for Keyward at <paramref name="baseAddress"/> on <see cref="CreateHandler"/>, with a 30 s timeout.</summary>
    public static HttpClient CreateHttpClient(Uri baseAddress, string? caFile, HostResolution? resolution = null) =>
        new(CreateHandler(caFile, resolution)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
}
