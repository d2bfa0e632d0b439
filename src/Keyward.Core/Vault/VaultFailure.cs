namespace Keyward.Core.Vault;

/// <summary>Why the vault refused. Each has a stable code (<see cref="VaultFailures.Code"/>).</summary>
public enum VaultFailure
{
    /// <summary>The path (or list prefix) breaks <see cref="VaultPath"/>'s rules.</summary>
    PathInvalid = 1,
    /// <summary>The value is larger than <see cref="VaultOptions.MaxValueBytes"/>.</summary>
    ValueTooLarge,
    /// <summary>No such secret (or version), or it was deleted.</summary>
    NotFound,
    /// <summary>The stored data key or value does not authenticate for the address it was read at.</summary>
    DecryptFailed,
    /// <summary>The vault has no epoch yet (<see cref="VaultEpochs.InitializeAsync"/>).</summary>
    NoEpoch,
    /// <summary>No KEK is configured for an epoch that needs one.</summary>
    KeyMissing,
    /// <summary>The KEK configured for an epoch is not the one the epoch was created with.</summary>
    KeyMismatch,
    /// <summary>An advance to anything but the epoch after the current one: going back, skipping, or lost to a concurrent advance.</summary>
    EpochNotNext,
    /// <summary>The KEK configured for the next epoch is one an earlier epoch already uses: advancing would rotate nothing.</summary>
    KeyReused,
    /// <summary>No such epoch.</summary>
    EpochUnknown,
    /// <summary>The current epoch cannot be retired.</summary>
    EpochCurrent,
    /// <summary>Data keys are still wrapped under the epoch: rekey first.</summary>
    EpochInUse,
}
