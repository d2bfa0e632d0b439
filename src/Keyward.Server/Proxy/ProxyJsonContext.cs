using System.Text.Json.Serialization;

namespace Keyward.Server.Proxy;

/// <summary>Source-generated JSON for the proxy slice's answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(List<RouteListItem>))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static ProxyJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
