using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>PUT …/secrets/{path}: the version the value was stored as.</summary>
internal sealed record VaultWriteResponse(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("version")] int Version);
