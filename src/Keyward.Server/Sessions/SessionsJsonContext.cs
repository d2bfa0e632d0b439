using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>Source-generated JSON for the sessions slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CeremonyOptionsResponse))]
[JsonSerializable(typeof(SignInResponse))]
[JsonSerializable(typeof(SessionStatusResponse))]
[JsonSerializable(typeof(LogoutResponse))]
[JsonSerializable(typeof(List<SessionListItem>))]
[JsonSerializable(typeof(CeremonyState))]
internal sealed partial class SessionsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers. Made on first use: after
    /// <see cref="Default"/>, whose initializer is in the generated half of this class.</summary>
    public static SessionsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
