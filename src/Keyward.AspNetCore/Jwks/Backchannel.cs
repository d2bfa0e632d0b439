using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.AspNetCore;

/// <summary>Builds the HTTP client that fetches the JWKS.</summary>
internal static class Backchannel
{
    /// <summary>Largest response buffered; the JWKS reader enforces its own, smaller limit.</summary>
    private const long MaxResponseBufferBytes = 1024 * 1024;

    public static HttpClient Create(KeywardAssertionOptions options)
    {
        if (options.Backchannel is { } client)
        {
            return client;
        }

        var handler = options.BackchannelHttpHandler ?? CreateHandler(options.BackchannelRootCertificate);
        var http = new HttpClient(handler)
        {
            Timeout = options.BackchannelTimeout,
            MaxResponseContentBufferSize = MaxResponseBufferBytes,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Keyward.AspNetCore");
        return http;
    }

    /// <summary>
    /// A handler that follows no redirects (the JWKS must come from the authority itself) and, when a root is
    /// given, trusts only that root: X509ChainTrustMode.CustomRootTrust, with the host name still verified.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2? trustedRoot)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        if (trustedRoot is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A local CA publishes no revocation list; checking would fail every chain.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.Add(trustedRoot);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return handler;
    }
}
