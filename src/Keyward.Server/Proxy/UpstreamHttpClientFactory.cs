using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Keyward.Server.Hosting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.Server.Proxy;

/// <summary>
/// Per-route upstream TLS: trust a private CA (only that CA, for that route) and present a client certificate for
/// mutual TLS. Routes without either use the system trust store.
/// </summary>
internal sealed class UpstreamHttpClientFactory(IOptions<KeywardOptions> options) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (!options.Value.Routes.TryGetValue(context.ClusterId, out var route))
        {
            return;
        }

        if (route.UpstreamCaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        if (route.ClientCertificateFile is { } certFile && route.ClientKeyFile is { } keyFile)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(certFile, keyFile)];
        }
    }
}
