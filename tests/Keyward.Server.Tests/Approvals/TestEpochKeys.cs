using Keyward.Core.Vault;

namespace Keyward.Server.Tests.Approvals;

/// <summary>A key provider that names KEKs for epochs 1 and 2 only; the approvals tests never wrap or unwrap.</summary>
internal sealed class TestEpochKeys : IKeyEncryptionKeyProvider
{
    public string? KeyId(int epoch) => epoch is 1 or 2 ? $"test-kek-{epoch}" : null;

    public ValueTask<WrappedDataKey> WrapAsync(int epoch, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask<bool> UnwrapAsync(int epoch, WrappedDataKey wrapped, ReadOnlyMemory<byte> associatedData, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
