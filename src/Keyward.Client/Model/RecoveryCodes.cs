using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>An account's new recovery codes (<c>/api/account/recovery-codes</c>), shown once; the earlier ones no longer work.</summary>
/// <param name="Codes">The codes (<c>XXXX-XXXX-XXXX</c>). Secrets: keep them offline.</param>
public sealed record RecoveryCodes([property: JsonPropertyName("recovery_codes")] IReadOnlyList<string> Codes)
{
    /// <summary>Never prints the codes.</summary>
    public override string ToString() => $"{Codes.Count} recovery codes";
}
