using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Endpoints;

/// <summary>POST /session/login/begin.</summary>
internal sealed record LoginBeginRequest([property: JsonPropertyName("username")] string? Username);

/// <summary>POST /session/login/finish and /api/register/finish.</summary>
internal sealed record CeremonyFinishRequest(
    [property: JsonPropertyName("ceremony_id")] Guid CeremonyId,
    [property: JsonPropertyName("credential")] JsonElement Credential,
    [property: JsonPropertyName("setup_code")] string? SetupCode = null,
    [property: JsonPropertyName("invite")] string? Invite = null);

/// <summary>POST /api/register/begin.</summary>
internal sealed record RegisterBeginRequest(
    [property: JsonPropertyName("setup_code")] string? SetupCode,
    [property: JsonPropertyName("invite")] string? Invite,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("key_name")] string? KeyName);

/// <summary>POST /api/admin/invites.</summary>
internal sealed record InviteRequest(
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string? Role);

/// <summary>PATCH /api/keys/{id}.</summary>
internal sealed record RenameKeyRequest([property: JsonPropertyName("name")] string Name);
