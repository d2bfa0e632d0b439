using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>
/// GET …/secrets/{path}: the value in base64. Documents the shape for the API description only: the answer is written
/// by <see cref="VaultEndpoints"/> straight from the decrypted buffer, so the value never becomes a string.
/// </summary>
internal sealed record VaultReadResponse(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("value_base64")] string ValueBase64)
{
    public override string ToString() => $"{Path} v{Version}";
}
