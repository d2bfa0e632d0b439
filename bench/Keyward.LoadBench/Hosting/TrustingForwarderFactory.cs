using Keyward.Client;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// The plain proxy's upstream client: YARP's own defaults plus trust in the bench CA only, exactly what Keyward's
/// <c>UpstreamHttpClientFactory</c> adds for a route with <c>UpstreamCaFile</c>, so both proxies reach the counter alike.
/// </summary>
internal sealed class TrustingForwarderFactory(string caFile) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(caFile);
    }
}
