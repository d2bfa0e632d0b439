namespace Keyward.Core.Vault;

/// <summary>
/// One secret version as stored: the epoch whose KEK wraps its data key, the wrapped data key, the value's nonce, and
/// the value's ciphertext followed by its 128-bit tag. Nothing here is secret without the KEK.
/// </summary>
/// <param name="Epoch">The epoch whose KEK wraps <paramref name="DataKey"/>.</param>
/// <param name="DataKey">The wrapped data key.</param>
/// <param name="Nonce">The value's 96-bit nonce.</param>
/// <param name="Ciphertext">The value's ciphertext and tag.</param>
public sealed record SealedSecret(int Epoch, WrappedDataKey DataKey, byte[] Nonce, byte[] Ciphertext);
