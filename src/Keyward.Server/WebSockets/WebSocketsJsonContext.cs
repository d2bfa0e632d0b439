using System.Text.Json.Serialization;

namespace Keyward.Server.WebSockets;

/// <summary>Source-generated JSON for the WebSocket gate slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TicketResponse))]
internal sealed partial class WebSocketsJsonContext : JsonSerializerContext;
