using Keyward.Core.Vault;

namespace Keyward.Server.Vault;

/// <summary>
/// The server's <see cref="IKeyEncryptionKeyProvider"/>: the keys <see cref="VaultPlane"/> opened and checked at start,
/// looked up at each call (the plane opens after the container is built). The approvals slice's
/// <c>advance_key_epoch</c> applier needs it: without a registered provider every advance is refused
/// <c>approval_operation_not_supported</c>. While the vault is off no epoch has a key.
/// </summary>
internal sealed class VaultPlaneKeys(VaultPlane plane) : IKeyEncryptionKeyProvider
{
    /// <inheritdoc/>
    public string? KeyId(int epoch) => plane.Keys?.KeyId(epoch);

    /// <inheritdoc/>
    public ValueTask<WrappedDataKey> WrapAsync(int epoch, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default) =>
        (plane.Keys ?? throw new VaultKeyUnavailableException(epoch)).WrapAsync(epoch, key, associatedData, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> UnwrapAsync(int epoch, WrappedDataKey wrapped, ReadOnlyMemory<byte> associatedData, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        (plane.Keys ?? throw new VaultKeyUnavailableException(epoch)).UnwrapAsync(epoch, wrapped, associatedData, destination, cancellationToken);
}
