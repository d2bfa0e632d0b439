using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Keyward.Server.Proxy;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using RouteOptions = Keyward.Server.Proxy.RouteOptions;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Opens the upstream leg: ws/wss to the route's upstream at the request's path and query (without the ticket),
/// with the <c>Keyward-Assertion</c> on the handshake and the route's upstream TLS. Nothing else the client sent is
/// forwarded but its Origin, its subprotocols and the X-Forwarded-* facts.
/// </summary>
internal sealed class UpstreamConnector(IOptions<WebSocketGateOptions> options) : IDisposable
{
    public const string TicketParameter = "ticket";

    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _invokers = new(StringComparer.Ordinal);

    public async Task<(ClientWebSocket? Socket, string? Failure)> ConnectAsync(HttpContext context, string routeId, RouteOptions route, string assertion, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        var o = socket.Options;
        o.SetRequestHeader(AssertionTransform.HeaderName, assertion);
        if (context.Request.Headers.Origin is [{ } origin])
        {
            o.SetRequestHeader("Origin", origin);
        }

        o.SetRequestHeader("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        o.SetRequestHeader("X-Forwarded-Proto", context.Request.Scheme);
        o.SetRequestHeader("X-Forwarded-Host", context.Request.Host.Value ?? string.Empty);
        foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols)
        {
            o.AddSubProtocol(protocol);
        }

        o.KeepAliveInterval = options.Value.KeepAliveInterval;
        o.HttpVersion = HttpVersion.Version11;
        o.HttpVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        o.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.UpstreamConnectTimeout);
        try
        {
            await socket.ConnectAsync(UpstreamUri(route.Upstream, context.Request), Invoker(routeId, route), timeout.Token).ConfigureAwait(false);
            return (socket, null);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
        {
            var failure = socket.HttpStatusCode != 0 ? $"answered {(int)socket.HttpStatusCode}" : e.GetType().Name;
            socket.Dispose();
            return (null, failure);
        }
    }

    /// <summary>The upstream address: its base (ws for http, wss for https), the request path, the query less the ticket.</summary>
    internal static Uri UpstreamUri(string upstream, HttpRequest request)
    {
        var builder = new UriBuilder(upstream);
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        builder.Path = builder.Path.TrimEnd('/') + request.PathBase.ToUriComponent() + request.Path.ToUriComponent();
        var query = new QueryBuilder();
        foreach (var (key, values) in request.Query)
        {
            if (!string.Equals(key, TicketParameter, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in values)
                {
                    query.Add(key, value ?? string.Empty);
                }
            }
        }

        builder.Query = query.ToQueryString().Value is { Length: > 0 } q ? q[1..] : string.Empty;
        return builder.Uri;
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values)
        {
            invoker.Dispose();
        }
    }

    private HttpMessageInvoker Invoker(string routeId, RouteOptions route) => _invokers.GetOrAdd(routeId, _ =>
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = options.Value.UpstreamConnectTimeout,
        };
        UpstreamTls.Configure(handler.SslOptions, route);
        return new HttpMessageInvoker(handler);
    });
}
