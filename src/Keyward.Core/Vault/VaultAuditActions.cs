namespace Keyward.Core.Vault;

/// <summary>
/// The audit actions of the vault (docs/audit.md, docs/vault.md). Path and data class may appear in an event; a
/// value, a data key or a KEK never does.
/// </summary>
public static class VaultAuditActions
{
    public const string SecretWritten = "vault.secret_written";
    public const string SecretRead = "vault.secret_read";
    public const string SecretsListed = "vault.secrets_listed";
    public const string SecretDeleted = "vault.secret_deleted";
    public const string Refused = "vault.refused";
    public const string EpochAdvanced = "vault.epoch_advanced";
    public const string EpochRetired = "vault.epoch_retired";
    public const string Rekeyed = "vault.rekeyed";
}
