using System.Text.Json.Serialization;

namespace Keyward.Server.Proxy;

/// <summary>Who may use a route (GET /api/admin/routes): the route's authorization policy, as data.</summary>
/// <param name="Role">The role required, or null for any signed-in account.</param>
/// <param name="RolesAllowed">The roles whose accounts may use it.</param>
/// <param name="RequireUserVerification">Whether the sign-in must have verified the user (PIN or biometric).</param>
internal sealed record RoutePolicyItem(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("roles_allowed")] IReadOnlyList<string> RolesAllowed,
    [property: JsonPropertyName("require_user_verification")] bool RequireUserVerification);
