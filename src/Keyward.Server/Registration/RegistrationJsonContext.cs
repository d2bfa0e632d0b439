using System.Text.Json.Serialization;

namespace Keyward.Server.Registration;

/// <summary>Source-generated JSON for the registration slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RegistrationResponse))]
internal sealed partial class RegistrationJsonContext : JsonSerializerContext;
