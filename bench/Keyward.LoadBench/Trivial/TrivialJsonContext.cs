using System.Text.Json.Serialization;

namespace Keyward.LoadBench.Trivial;

/// <summary>Source-generated JSON for the trivial upstream (the slim builder has no reflection serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Hit))]
internal sealed partial class TrivialJsonContext : JsonSerializerContext;
