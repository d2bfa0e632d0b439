namespace Keyward.Core.Storage;

/// <summary>
/// One version of a vault secret, envelope-encrypted (docs/vault.md, "Storage"). Every addressing column is bound into
/// the ciphertext's associated data, so bytes copied to another row do not decrypt there.
/// </summary>
public sealed class VaultSecretEntity : ITenantOwned
{
    /// <summary>A row number: the rekey cursor walks it.</summary>
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string DataClass { get; set; }
    public Guid OperatorId { get; set; }
    public Guid ActorId { get; set; }
    public required string Path { get; set; }
    public int Version { get; set; }

    /// <summary>The epoch whose KEK wraps <see cref="WrappedKey"/>.</summary>
    public int Epoch { get; set; }
    public required byte[] WrappedKey { get; set; }
    public required byte[] KeyNonce { get; set; }
    public required byte[] ValueNonce { get; set; }

    /// <summary>The value's ciphertext and its 128-bit tag.</summary>
    public required byte[] Ciphertext { get; set; }
    public long CreatedAt { get; set; }
    public long? DeletedAt { get; set; }
}
