using System.Text.Json.Serialization;

namespace Keyward.Server.Proxy;

/// <summary>One proxied route in GET /api/admin/routes: what it matches, where it goes, who may use it. No secret.</summary>
/// <param name="Id">The route id (the assertion's <c>aud</c>).</param>
/// <param name="Host">The browser route's own host, or null for a path on Keyward's origin.</param>
/// <param name="Path">The path pattern matched.</param>
/// <param name="Upstream">The upstream base address, without any user information, query or fragment.</param>
/// <param name="UpstreamPrivateCa">Whether the upstream's certificate is checked against a configured CA file.</param>
/// <param name="UpstreamClientCertificate">Whether Keyward presents a client certificate to the upstream (mutual TLS).</param>
/// <param name="Policy">Who may use the route.</param>
/// <param name="WebSocket">The route's WebSocket settings.</param>
/// <param name="StripRequestHeaders">Request header names or prefixes stripped on this route, besides the ones every route strips.</param>
/// <param name="AllowCrossOriginUnsafe">Whether unsafe methods with Keyward's cookie are accepted from pages of other origins.</param>
/// <param name="Internal">Whether Keyward's internal credential is accepted on WebSocket upgrades here.</param>
internal sealed record RouteListItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("upstream")] string Upstream,
    [property: JsonPropertyName("upstream_private_ca")] bool UpstreamPrivateCa,
    [property: JsonPropertyName("upstream_client_certificate")] bool UpstreamClientCertificate,
    [property: JsonPropertyName("policy")] RoutePolicyItem Policy,
    [property: JsonPropertyName("websocket")] RouteWebSocketItem WebSocket,
    [property: JsonPropertyName("strip_request_headers")] IReadOnlyList<string> StripRequestHeaders,
    [property: JsonPropertyName("allow_cross_origin_unsafe")] bool AllowCrossOriginUnsafe,
    [property: JsonPropertyName("internal")] bool Internal);
