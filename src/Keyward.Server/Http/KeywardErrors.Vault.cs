using Keyward.Core.Vault;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // The vault plane (docs/vault.md, "HTTP API"). The verifier's own refusals (cap_invalid, cap_expired,
    // cap_scope_revoked) are the capabilities slice's (KeywardErrors.Capabilities.cs).

    // The endpoint's own comparisons of a verified capability with the request (layer (b) of issue 12 item 7).
    public static readonly KeywardError CapDataClassMismatch = new("cap_data_class_mismatch", 403, "The capability is for another data class than this endpoint serves. Mint one for this class.");
    public static readonly KeywardError CapOperationMismatch = new("cap_operation_mismatch", 403, "The capability is for another operation (read, write, list or delete). Mint one for this operation.");
    public static readonly KeywardError CapActorMismatch = new("cap_actor_mismatch", 403, "The capability was minted for another actor than the one in the path.");
    public static readonly KeywardError CapPathMismatch = new("cap_path_mismatch", 403, "The secret path (or, for a list, the prefix) is not the capability's. Mint one for this path.");
    public static readonly KeywardError ApprovalRequired = new("approval_required", 403, "Reading a secret of a sensitive data class needs an approved read_sensitive_secret operation for this operator, actor and path, and each approval is spent by one read. Propose one and have the quorum approve it.");
    public static readonly KeywardError VaultNotConfigured = new("vault_not_configured", 503, "The vault is off: no key-encryption key is configured. Set Keyward:Vault:Keys:1:File (or :Environment) and restart Keyward.");

    // Keyward.Core's vault failures, each written once there.
    public static readonly KeywardError VaultPathInvalid = FromVault(VaultFailure.PathInvalid, 400);
    public static readonly KeywardError VaultValueTooLarge = FromVault(VaultFailure.ValueTooLarge, 413);
    public static readonly KeywardError VaultSecretNotFound = FromVault(VaultFailure.NotFound, 404);
    public static readonly KeywardError VaultDecryptFailed = FromVault(VaultFailure.DecryptFailed, 500);
    public static readonly KeywardError VaultNoEpoch = FromVault(VaultFailure.NoEpoch, 503);
    public static readonly KeywardError VaultKekMissing = FromVault(VaultFailure.KeyMissing, 503);
    public static readonly KeywardError VaultKekMismatch = FromVault(VaultFailure.KeyMismatch, 503);

    /// <summary>The refusal for a vault failure the vault plane can meet (epoch changes are CLI and approval operations).</summary>
    public static KeywardError From(VaultFailure failure) => failure switch
    {
        VaultFailure.PathInvalid => VaultPathInvalid,
        VaultFailure.ValueTooLarge => VaultValueTooLarge,
        VaultFailure.NotFound => VaultSecretNotFound,
        VaultFailure.DecryptFailed => VaultDecryptFailed,
        VaultFailure.NoEpoch => VaultNoEpoch,
        VaultFailure.KeyMissing => VaultKekMissing,
        VaultFailure.KeyMismatch => VaultKekMismatch,
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "Not a failure of the vault plane's endpoints."),
    };

    private static KeywardError FromVault(VaultFailure failure, int status) => new(VaultFailures.Code(failure), status, VaultFailures.Message(failure));
}
