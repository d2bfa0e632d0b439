using System.Text.Json.Serialization;

namespace Keyward.Server.Hosting;

/// <summary>Source-generated JSON for the console's pane list and the pane manifests it reads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ConsolePanesResponse))]
[JsonSerializable(typeof(ConsolePaneManifest))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static ConsoleJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
