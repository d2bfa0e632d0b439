using System.Text.Json.Serialization;

namespace Keyward.Server.Vault;

/// <summary>
/// PUT …/secrets/{path} body, for the API description only: the endpoint reads <c>value_base64</c> itself from a
/// bounded buffer it clears, so the value never becomes a string.
/// </summary>
internal sealed record VaultWriteRequest([property: JsonPropertyName("value_base64")] string ValueBase64)
{
    public override string ToString() => "value hidden";
}
