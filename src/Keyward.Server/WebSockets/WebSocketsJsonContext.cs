using System.Text.Json.Serialization;

namespace Keyward.Server.WebSockets;

/// <summary>Source-generated JSON for the WebSocket gate slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TicketResponse))]
[JsonSerializable(typeof(SocketRoutesResponse))]
internal sealed partial class WebSocketsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers. Made on first use: after
    /// <see cref="Default"/>, whose initializer is in the generated half of this class.</summary>
    public static WebSocketsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
