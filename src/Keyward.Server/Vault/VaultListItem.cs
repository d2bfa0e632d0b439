using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>A secret in a listing: path, latest version, when it was written. Never a value.</summary>
internal sealed record VaultListItem(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);
