namespace Keyward.Core.Vault;

/// <summary>
/// The key-encryption keys (KEKs), one per epoch, behind one seam: today a key file or an environment variable
/// (<see cref="LocalKeyEncryptionKeys"/>), later a KMS. The seam wraps and unwraps; it never hands a KEK out, so a
/// KMS implementation can keep its keys inside the KMS. Implementations are thread-safe, and never put key material
/// in exceptions, logs or <see cref="object.ToString"/>.
/// </summary>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>
    /// A stable, non-secret identifier of the KEK configured for <paramref name="epoch"/> (recorded with the epoch, so a
    /// different key configured later for the same epoch is noticed), or null when none is configured.
    /// </summary>
    string? KeyId(int epoch);

    /// <summary>Wraps <paramref name="key"/> under the KEK of <paramref name="epoch"/>, authenticating <paramref name="associatedData"/>.</summary>
    /// <exception cref="VaultKeyUnavailableException">No KEK is configured for <paramref name="epoch"/>.</exception>
    ValueTask<WrappedDataKey> WrapAsync(int epoch, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default);

    /// <summary>
    /// Unwraps <paramref name="wrapped"/> into <paramref name="destination"/> (exactly the unwrapped key's length);
    /// false when it does not authenticate under the KEK of <paramref name="epoch"/> and <paramref name="associatedData"/>
    /// (then <paramref name="destination"/> is cleared).
    /// </summary>
    /// <exception cref="VaultKeyUnavailableException">No KEK is configured for <paramref name="epoch"/>.</exception>
    ValueTask<bool> UnwrapAsync(int epoch, WrappedDataKey wrapped, ReadOnlyMemory<byte> associatedData, Memory<byte> destination, CancellationToken cancellationToken = default);
}
