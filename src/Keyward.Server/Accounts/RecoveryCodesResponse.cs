using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/account/recovery-codes: the account's new recovery codes, shown once (never cached).</summary>
/// <param name="RecoveryCodes">The codes; the earlier ones no longer work.</param>
internal sealed record RecoveryCodesResponse([property: JsonPropertyName("recovery_codes")] IReadOnlyList<string> RecoveryCodes);
