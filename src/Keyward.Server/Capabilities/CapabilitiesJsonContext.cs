using System.Text.Json.Serialization;

namespace Keyward.Server.Capabilities;

/// <summary>Source-generated JSON for the capability slice's responses.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CreateActorResponse))]
[JsonSerializable(typeof(List<ActorListItem>))]
[JsonSerializable(typeof(ActorIdentityResponse))]
[JsonSerializable(typeof(ScopeProposalResponse))]
[JsonSerializable(typeof(List<ScopeListItem>))]
[JsonSerializable(typeof(MintResponse))]
internal sealed partial class CapabilitiesJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers.</summary>
    public static CapabilitiesJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
