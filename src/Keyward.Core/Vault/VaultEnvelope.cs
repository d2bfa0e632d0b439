using System.Security.Cryptography;

namespace Keyward.Core.Vault;

/// <summary>
/// Envelope encryption of one secret version (docs/vault.md, "Envelope"): a fresh 256-bit data key per version;
/// the value under it with AES-256-GCM (random 96-bit nonce, 128-bit tag, AAD <see cref="VaultAad.ForValue"/>); the
/// data key wrapped under the epoch's KEK (AAD <see cref="VaultAad.ForDataKey"/>). Data keys live in pinned buffers
/// cleared before each method returns; a decrypted value lives in a pinned buffer that <see cref="VaultSecret.Dispose"/>
/// clears, and one that failed to authenticate is cleared at once.
/// </summary>
public static class VaultEnvelope
{
    /// <summary>The data key's length: AES-256.</summary>
    public const int DataKeyBytes = 32;

    /// <summary>The nonce's length: 96 bits (NIST SP 800-38D §8.2.2, random construction).</summary>
    public const int NonceBytes = 12;

    /// <summary>The tag's length: 128 bits.</summary>
    public const int TagBytes = 16;

    /// <summary>Encrypts <paramref name="value"/> as version <paramref name="version"/> of <paramref name="address"/> under <paramref name="epoch"/>.</summary>
    public static async ValueTask<SealedSecret> SealAsync(
        IKeyEncryptionKeyProvider keys, VaultAddress address, int version, int epoch, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var dataKey = PinnedKeyBuffers.Rent();
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
            var ciphertext = new byte[value.Length + TagBytes];
            using (var aes = new AesGcm(dataKey, TagBytes))
            {
                aes.Encrypt(nonce, value.Span, ciphertext.AsSpan(0, value.Length), ciphertext.AsSpan(value.Length), VaultAad.ForValue(address, version));
            }

            var wrapped = await keys.WrapAsync(epoch, dataKey, VaultAad.ForDataKey(address, version, epoch), cancellationToken).ConfigureAwait(false);
            return new SealedSecret(epoch, wrapped, nonce, ciphertext);
        }
        finally
        {
            PinnedKeyBuffers.Return(dataKey);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="secret"/> read as version <paramref name="version"/> of <paramref name="address"/>;
    /// null when the data key or the value does not authenticate for exactly that address, version and epoch.
    /// </summary>
    public static async ValueTask<VaultSecret?> OpenAsync(
        IKeyEncryptionKeyProvider keys, VaultAddress address, int version, SealedSecret secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Nonce is not { Length: NonceBytes } || secret.Ciphertext is not { Length: >= TagBytes })
        {
            return null;
        }

        var dataKey = PinnedKeyBuffers.Rent();
        try
        {
            if (!await keys.UnwrapAsync(secret.Epoch, secret.DataKey, VaultAad.ForDataKey(address, version, secret.Epoch), dataKey, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var length = secret.Ciphertext.Length - TagBytes;
            var value = GC.AllocateArray<byte>(length, pinned: true);
            try
            {
                using var aes = new AesGcm(dataKey, TagBytes);
                aes.Decrypt(secret.Nonce, secret.Ciphertext.AsSpan(0, length), secret.Ciphertext.AsSpan(length), value, VaultAad.ForValue(address, version));
                return new VaultSecret(address.Path, version, value);
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(value);
                return null;
            }
        }
        finally
        {
            PinnedKeyBuffers.Return(dataKey);
        }
    }

    /// <summary>
    /// Re-wraps <paramref name="secret"/>'s data key under <paramref name="epoch"/> without touching the value; null
    /// when the old wrap does not authenticate for exactly that address and version.
    /// </summary>
    public static async ValueTask<SealedSecret?> RewrapAsync(
        IKeyEncryptionKeyProvider keys, VaultAddress address, int version, SealedSecret secret, int epoch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(secret);
        var dataKey = PinnedKeyBuffers.Rent();
        try
        {
            if (!await keys.UnwrapAsync(secret.Epoch, secret.DataKey, VaultAad.ForDataKey(address, version, secret.Epoch), dataKey, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var wrapped = await keys.WrapAsync(epoch, dataKey, VaultAad.ForDataKey(address, version, epoch), cancellationToken).ConfigureAwait(false);
            return secret with { Epoch = epoch, DataKey = wrapped };
        }
        finally
        {
            PinnedKeyBuffers.Return(dataKey);
        }
    }
}
