using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>Source-generated JSON for the approvals slice's answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ApprovalPoliciesResponse))]
[JsonSerializable(typeof(ApprovalPolicyResponse))]
[JsonSerializable(typeof(ApprovalListResponse))]
[JsonSerializable(typeof(ApprovalRequestResponse))]
[JsonSerializable(typeof(VoteBeginResponse))]
[JsonSerializable(typeof(VoteResponse))]
internal sealed partial class ApprovalsJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="Default"/>, but writing <c>+</c> and non-ASCII characters unescaped; for answers.</summary>
    public static ApprovalsJsonContext Relaxed => field ??= new(Keyward.Server.Http.KeywardJson.Relaxed(Default.Options));
}
