using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>Source-generated JSON for the agents slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EnrollTokenResponse))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(List<MachineListItem>))]
[JsonSerializable(typeof(MachinesDeletedResponse))]
internal sealed partial class AgentsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static AgentsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
