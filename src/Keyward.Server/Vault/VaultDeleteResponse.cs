using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>DELETE …/secrets/{path}: how many versions were deleted (every version of the path).</summary>
internal sealed record VaultDeleteResponse(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("versions_deleted")] int VersionsDeleted);
