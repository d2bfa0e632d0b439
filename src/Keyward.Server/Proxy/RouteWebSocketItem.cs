using System.Text.Json.Serialization;

namespace Keyward.Server.Proxy;

/// <summary>A route's WebSocket settings in GET /api/admin/routes (docs/websockets.md explains each).</summary>
/// <param name="Enabled">Whether upgrades are accepted.</param>
/// <param name="AllowedOrigins">Page origins that may open sockets; empty means Keyward's own origin (or the browser route's host).</param>
/// <param name="AllowSessionCookie">Whether an upgrade may carry the app cookie instead of a ticket.</param>
/// <param name="MaxClientMessageBytes">Largest client message.</param>
/// <param name="MaxUpstreamMessageBytes">Largest upstream message.</param>
/// <param name="MaxMessagesPerSecond">Client messages per second.</param>
/// <param name="MaxLifetimeSeconds">How long one socket may stay open, in seconds.</param>
internal sealed record RouteWebSocketItem(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("allowed_origins")] IReadOnlyList<string> AllowedOrigins,
    [property: JsonPropertyName("allow_session_cookie")] bool AllowSessionCookie,
    [property: JsonPropertyName("max_client_message_bytes")] int MaxClientMessageBytes,
    [property: JsonPropertyName("max_upstream_message_bytes")] int MaxUpstreamMessageBytes,
    [property: JsonPropertyName("max_messages_per_second")] int MaxMessagesPerSecond,
    [property: JsonPropertyName("max_lifetime_seconds")] long MaxLifetimeSeconds);
