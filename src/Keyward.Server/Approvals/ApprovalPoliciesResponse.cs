using System.Text.Json.Serialization;

namespace Keyward.Server.Approvals;

/// <summary>GET /api/approvals/policies.</summary>
internal sealed record ApprovalPoliciesResponse([property: JsonPropertyName("policies")] IReadOnlyList<ApprovalPolicyResponse> Policies);
