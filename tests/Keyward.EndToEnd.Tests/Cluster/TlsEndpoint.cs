using System.Net.WebSockets;
using Keyward.Client;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// One way into the <see cref="RealCluster"/>: the balancer, or one node directly. Every way has the cluster's one public
/// origin (what WebAuthn keys sign for and pages send as Origin) and trusts only the cluster's local CA.
/// </summary>
internal sealed class TlsEndpoint(string origin, Uri baseAddress, string caFile) : IKeywardEndpoint
{
    public string Origin => origin;

    public Uri BaseAddress => baseAddress;

    public Uri WebSocketBase => new UriBuilder(baseAddress) { Scheme = "wss" }.Uri;

    /// <summary>No cookie jar, no redirects followed, only the cluster CA trusted.</summary>
    public HttpMessageHandler CreateHandler()
    {
        var handler = CaTrust.CreateHandler(caFile);
        handler.AllowAutoRedirect = false;
        return handler;
    }

    public void ConfigureWebSocket(ClientWebSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RemoteCertificateValidationCallback = CaTrust.Only(caFile);
    }

    public override string ToString() => baseAddress.ToString();
}
