namespace Keyward.Core.Vault;

/// <summary>
/// A data key wrapped under a key-encryption key: the nonce the wrap used (empty for providers that keep it inside
/// <paramref name="Ciphertext"/>, such as a KMS) and the wrapped bytes with their tag. Not secret.
/// </summary>
/// <param name="Nonce">The wrap's nonce.</param>
/// <param name="Ciphertext">The wrapped key and its authentication tag.</param>
public readonly record struct WrappedDataKey(byte[] Nonce, byte[] Ciphertext);
