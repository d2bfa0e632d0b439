using System.Text.Json.Serialization;

namespace Keyward.Server.Support;

/// <summary>Source-generated JSON for the support slice's answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SupportSessionResponse))]
[JsonSerializable(typeof(SupportSessionsResponse))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(JoinableMachinesResponse))]
internal sealed partial class SupportJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static SupportJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
