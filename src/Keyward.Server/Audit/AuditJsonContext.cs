using System.Text.Json.Serialization;

namespace Keyward.Server.Audit;

/// <summary>Source-generated JSON for the audit slice's request and response records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuditKeyResponse))]
[JsonSerializable(typeof(AuditEventsResponse))]
[JsonSerializable(typeof(TreeHeadResponse))]
[JsonSerializable(typeof(InclusionProofResponse))]
[JsonSerializable(typeof(ConsistencyProofResponse))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped (<see cref="Keyward.Server.Http.KeywardJson"/>); for answers. Made on first use: after
    /// <see cref="Default"/>, whose initializer is in the generated half of this class.</summary>
    public static AuditJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
