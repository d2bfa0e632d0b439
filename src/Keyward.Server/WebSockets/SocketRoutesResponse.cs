using System.Text.Json.Serialization;

namespace Keyward.Server.WebSockets;

/// <summary>GET /api/auth/ws-routes: the routes this session may open a socket on (the sign-in page offers only those).</summary>
/// <param name="Routes">Route ids, in ordinal order.</param>
internal sealed record SocketRoutesResponse([property: JsonPropertyName("routes")] IReadOnlyList<string> Routes);
