using System.Security.Cryptography;

namespace Keyward.Authenticator;

public sealed partial class VirtualAuthenticator
{
    /// <summary>
    /// Saves the options and every credential, private keys included, to <paramref name="path"/> encrypted under
    /// <paramref name="passphrase"/> (AES-256-GCM, key by PBKDF2-HMAC-SHA256 with
    /// <see cref="VirtualAuthenticatorOptions.KeyFileIterations"/> iterations). The file is replaced atomically and,
    /// on Unix, is readable and writable by its owner only (0600).
    /// </summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <param name="passphrase">The passphrase; never written anywhere or included in any message.</param>
    /// <exception cref="ArgumentException">The passphrase is empty.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path, string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        using var plaintext = new ZeroingBufferWriter(4096);
        int iterations;
        lock (_gate)
        {
            iterations = _options.KeyFileIterations;
            KeyFilePayload.Write(plaintext, _options, _credentials);
        }

        KeyFile.Write(path, passphrase, iterations, plaintext.WrittenSpan);
    }

    /// <summary>Loads a key saved by <see cref="Save"/>.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="passphrase">The passphrase it was saved under.</param>
    /// <returns>The key.</returns>
    /// <exception cref="AuthenticatorException">
    /// KeyFileUnreadable (wrong passphrase or the file was modified) or KeyFileInvalid (not a key file).
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static VirtualAuthenticator Load(string path, string passphrase) => TryLoad(path, passphrase).Value;

    /// <summary>Loads a key saved by <see cref="Save"/>, returning KeyFileUnreadable or KeyFileInvalid as values.</summary>
    /// <param name="path">The key file.</param>
    /// <param name="passphrase">The passphrase it was saved under.</param>
    /// <returns>The key, or the failure.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static AuthenticatorResult<VirtualAuthenticator> TryLoad(string path, string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(passphrase);
        var decrypted = KeyFile.Read(path, passphrase);
        if (!decrypted.Succeeded)
        {
            return decrypted.Failure;
        }

        var plaintext = decrypted.Value;
        try
        {
            var payload = KeyFilePayload.Read(plaintext);
            if (!payload.Succeeded)
            {
                return payload.Failure;
            }

            var authenticator = new VirtualAuthenticator(payload.Value.Options);
            authenticator._credentials.AddRange(payload.Value.Credentials);
            return AuthenticatorResult<VirtualAuthenticator>.Ok(authenticator);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
