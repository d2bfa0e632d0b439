namespace Keyward.Core.Storage;

/// <summary>A vault key epoch (docs/vault.md, "Epochs"): its number, state and the id of its KEK, never the KEK.</summary>
public sealed class VaultEpochEntity
{
    public int Epoch { get; set; }

    /// <summary><c>current</c>, <c>readable</c> or <c>retired</c> (<see cref="Vault.VaultEpochStates"/>).</summary>
    public required string State { get; set; }
    public required string KeyId { get; set; }
    public long CreatedAt { get; set; }
    public long? RetiredAt { get; set; }
}
