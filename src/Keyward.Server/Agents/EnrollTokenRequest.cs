using System.Text.Json.Serialization;

namespace Keyward.Server.Agents;

/// <summary>POST /api/admin/enroll-tokens.</summary>
/// <param name="Label">The machine's label, 1 to 200 characters.</param>
/// <param name="Policy"><c>attended</c> (default) or <c>unattended</c>.</param>
/// <param name="Joiners">Who may join; default roles [admin].</param>
/// <param name="LifetimeSeconds">How long the token is valid; default <see cref="AgentOptions.EnrollTokenLifetime"/>.</param>
internal sealed record EnrollTokenRequest(
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("policy")] string? Policy = null,
    [property: JsonPropertyName("joiners")] JoinersBody? Joiners = null,
    [property: JsonPropertyName("lifetime_seconds")] int? LifetimeSeconds = null);
