using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>One of the caller's keys (GET /api/keys).</summary>
/// <param name="Id">The key id.</param>
/// <param name="Name">Its name.</param>
/// <param name="CredentialId">The WebAuthn credential id, base64url.</param>
/// <param name="Format">The attestation format.</param>
/// <param name="Aaguid">The authenticator model id, hex.</param>
/// <param name="BackupEligible">Whether it is a synced passkey.</param>
/// <param name="CreatedAt">Registration time.</param>
/// <param name="LastUsedAt">Last sign-in with it, if any.</param>
/// <param name="Current">Whether it opened the session asking.</param>
/// <param name="Transports">How the browser said it reaches the key at registration (<c>usb</c>, <c>nfc</c>, <c>ble</c>,
/// <c>hybrid</c>, <c>internal</c>…): what the console names its type by.</param>
internal sealed record KeyListItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("credential_id")] string CredentialId,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("aaguid")] string Aaguid,
    [property: JsonPropertyName("backup_eligible")] bool BackupEligible,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_used_at")] DateTimeOffset? LastUsedAt,
    [property: JsonPropertyName("current")] bool Current,
    [property: JsonPropertyName("transports")] IReadOnlyList<string> Transports);
