using System.Text.Json.Serialization;

namespace Keyward.Server.StepUp;

/// <summary>Source-generated JSON for the step-up slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StepUpResponse))]
internal sealed partial class StepUpJsonContext : JsonSerializerContext;
