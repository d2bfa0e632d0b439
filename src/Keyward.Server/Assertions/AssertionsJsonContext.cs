using System.Text.Json.Serialization;

namespace Keyward.Server.Assertions;

/// <summary>Source-generated JSON for the assertions slice's answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SigningKeysResponse))]
internal sealed partial class AssertionsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static AssertionsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
