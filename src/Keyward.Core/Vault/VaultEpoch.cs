namespace Keyward.Core.Vault;

/// <summary>A key epoch as recorded (never its key).</summary>
/// <param name="Number">The epoch number, from 1.</param>
/// <param name="State">Its state (<see cref="VaultEpochStates"/>).</param>
/// <param name="KeyId">The id of the KEK it was created with (<see cref="IKeyEncryptionKeyProvider.KeyId"/>).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RetiredAt">When it was retired, or null.</param>
/// <param name="DataKeys">How many data keys are wrapped under it.</param>
public sealed record VaultEpoch(int Number, string State, string KeyId, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt, long DataKeys);
