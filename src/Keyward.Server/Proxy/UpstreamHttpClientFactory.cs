using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.Server.Proxy;

/// <summary>
/// The proxy's upstream connections, with each route's TLS settings (<see cref="UpstreamTls"/>).
/// </summary>
internal sealed class UpstreamHttpClientFactory(IOptions<ProxyOptions> options) : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (!options.Value.Routes.TryGetValue(context.ClusterId, out var route))
        {
            return;
        }

        UpstreamTls.Configure(handler.SslOptions, route);
    }
}
