using System.Text.Json.Serialization;

namespace Keyward.Server.Http;

/// <summary>Source-generated JSON for the shared HTTP slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProblemResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
