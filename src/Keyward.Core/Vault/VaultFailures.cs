namespace Keyward.Core.Vault;

/// <summary>Codes and messages for <see cref="VaultFailure"/>. Messages never carry a value or key.</summary>
public static class VaultFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(VaultFailure failure) => failure switch
    {
        VaultFailure.PathInvalid => "vault_path_invalid",
        VaultFailure.ValueTooLarge => "vault_value_too_large",
        VaultFailure.NotFound => "vault_secret_not_found",
        VaultFailure.DecryptFailed => "vault_decrypt_failed",
        VaultFailure.NoEpoch => "vault_no_epoch",
        VaultFailure.KeyMissing => "vault_kek_missing",
        VaultFailure.KeyMismatch => "vault_kek_mismatch",
        VaultFailure.EpochNotNext => "vault_epoch_not_next",
        VaultFailure.KeyReused => "vault_kek_reused",
        VaultFailure.EpochUnknown => "vault_epoch_unknown",
        VaultFailure.EpochCurrent => "vault_epoch_current",
        VaultFailure.EpochInUse => "vault_epoch_in_use",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    /// <summary>The plain message.</summary>
    public static string Message(VaultFailure failure) => failure switch
    {
        VaultFailure.PathInvalid => $"A secret path is 1 to {VaultPath.MaxLength} characters of A-Z a-z 0-9 . _ - in segments separated by single slashes, without . or .. segments.",
        VaultFailure.ValueTooLarge => $"The value is larger than {VaultOptions.Section}:MaxValueBytes allows.",
        VaultFailure.NotFound => "No such secret (or version) here, or it was deleted.",
        VaultFailure.DecryptFailed => "The stored secret does not authenticate for this tenant, data class, owner, path and version; it was not written here.",
        VaultFailure.NoEpoch => "The vault has no key epoch yet; it creates epoch 1 when it starts with a key configured for it.",
        VaultFailure.KeyMissing => $"No key-encryption key is configured for the epoch this needs; set {VaultOptions.Section}:Keys:<epoch>.",
        VaultFailure.KeyMismatch => $"The key configured for this epoch is not the key the epoch was created with; restore the original key file or variable under {VaultOptions.Section}:Keys:<epoch>.",
        VaultFailure.EpochNotNext => "Epochs only move forward, one at a time: the target must be the epoch after the current one (another advance may have won).",
        VaultFailure.KeyReused => $"The key configured for the next epoch is already an earlier epoch's key; set {VaultOptions.Section}:Keys:<epoch> to a new key (openssl rand -base64 32).",
        VaultFailure.EpochUnknown => "No such epoch.",
        VaultFailure.EpochCurrent => "The current epoch cannot be retired; advance first.",
        VaultFailure.EpochInUse => "Data keys are still wrapped under this epoch; run a rekey first.",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };
}
