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
internal sealed partial class SessionsJsonContext : JsonSerializerContext;
