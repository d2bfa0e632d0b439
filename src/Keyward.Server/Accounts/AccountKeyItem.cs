using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>One key of an account in GET /api/admin/accounts/{name}.</summary>
/// <param name="Id">The key id.</param>
/// <param name="Name">Its name.</param>
/// <param name="CreatedAt">Registration time.</param>
/// <param name="LastUsedAt">Last sign-in with it, if any.</param>
/// <param name="BackupEligible">Whether it is a synced passkey (BE).</param>
/// <param name="BackedUp">Whether it was backed up at its last use (BS).</param>
internal sealed record AccountKeyItem(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("last_used_at")] DateTimeOffset? LastUsedAt,
    [property: JsonPropertyName("backup_eligible")] bool BackupEligible,
    [property: JsonPropertyName("backed_up")] bool BackedUp);
