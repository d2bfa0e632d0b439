using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>Source-generated JSON for the audit slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuditKeyResponse))]
[JsonSerializable(typeof(AuditEventsResponse))]
[JsonSerializable(typeof(TreeHeadResponse))]
[JsonSerializable(typeof(InclusionProofResponse))]
[JsonSerializable(typeof(ConsistencyProofResponse))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
