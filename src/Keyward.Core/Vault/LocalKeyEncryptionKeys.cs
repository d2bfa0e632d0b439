using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Vault;

/// <summary>
/// Key-encryption keys from key files or environment variables (<see cref="VaultOptions.Keys"/>), held in pinned
/// buffers that are cleared on <see cref="Dispose"/>. Wrapping is AES-256-GCM with a random 96-bit nonce and a
/// 128-bit tag. <see cref="Load"/> checks every source at once and reports every problem: a key file readable by its
/// group or others is refused (on Unix), and so is anything but 32 bytes in base64. Each epoch keeps a few ready
/// <see cref="AesGcm"/> instances (an instance is not thread-safe; making one per wrap costs a key schedule).
/// </summary>
public sealed class LocalKeyEncryptionKeys : IKeyEncryptionKeyProvider, IDisposable
{
    /// <summary>The KEK's length: AES-256.</summary>
    public const int KeyBytes = 32;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int MaxFileBytes = 1024;
    private const int MaxPooledCiphers = 16;
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly byte[] KeyIdLabel = Encoding.UTF8.GetBytes("keyward.vault.kek-id.v1");

    private readonly Dictionary<int, (byte[] Key, string Id)> _keys;
    private readonly Dictionary<int, ConcurrentQueue<AesGcm>> _ciphers;
    private bool _disposed;

    private LocalKeyEncryptionKeys(Dictionary<int, (byte[] Key, string Id)> keys)
    {
        _keys = keys;
        _ciphers = keys.Keys.ToDictionary(epoch => epoch, _ => new ConcurrentQueue<AesGcm>());
    }

    /// <summary>The epochs that have a key, ascending.</summary>
    public IReadOnlyList<int> Epochs => [.. _keys.Keys.Order()];

    /// <summary>
    /// Reads every configured key. <paramref name="environment"/> reads an environment variable (by default the
    /// process's); tests pass their own.
    /// </summary>
    /// <exception cref="VaultConfigurationException">Any setting is invalid or any key unusable; lists them all.</exception>
    public static LocalKeyEncryptionKeys Load(VaultOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= System.Environment.GetEnvironmentVariable;
        var problems = options.Validate().ToList();
        var keys = new Dictionary<int, (byte[] Key, string Id)>();
        if (problems.Count == 0)
        {
            foreach (var (epoch, source) in options.Keys.OrderBy(k => k.Key))
            {
                var key = GC.AllocateArray<byte>(KeyBytes, pinned: true);
                var problem = source.File is { Length: > 0 } file
                    ? ReadFile($"{VaultOptions.Section}:Keys:{epoch}:File", file, key)
                    : ReadVariable($"{VaultOptions.Section}:Keys:{epoch}:Environment", source.Environment!, environment, key);
                if (problem is null)
                {
                    keys[epoch] = (key, Fingerprint(key));
                }
                else
                {
                    CryptographicOperations.ZeroMemory(key);
                    problems.Add(problem);
                }
            }
        }

        if (problems.Count > 0)
        {
            foreach (var (key, _) in keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            throw new VaultConfigurationException(problems);
        }

        return new LocalKeyEncryptionKeys(keys);
    }

    /// <inheritdoc/>
    public string? KeyId(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keys.TryGetValue(epoch, out var entry) ? entry.Id : null;
    }

    /// <inheritdoc/>
    public ValueTask<WrappedDataKey> WrapAsync(int epoch, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> associatedData, CancellationToken cancellationToken = default)
    {
        var aes = RentCipher(epoch);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
            var wrapped = new byte[key.Length + TagBytes];
            aes.Encrypt(nonce, key.Span, wrapped.AsSpan(0, key.Length), wrapped.AsSpan(key.Length), associatedData.Span);
            return ValueTask.FromResult(new WrappedDataKey(nonce, wrapped));
        }
        finally
        {
            ReturnCipher(epoch, aes);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> UnwrapAsync(int epoch, WrappedDataKey wrapped, ReadOnlyMemory<byte> associatedData, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        _ = Kek(epoch);
        if (wrapped.Nonce is not { Length: NonceBytes } || wrapped.Ciphertext is null || wrapped.Ciphertext.Length != destination.Length + TagBytes)
        {
            return ValueTask.FromResult(false);
        }

        var length = destination.Length;
        var aes = RentCipher(epoch);
        try
        {
            aes.Decrypt(wrapped.Nonce, wrapped.Ciphertext.AsSpan(0, length), wrapped.Ciphertext.AsSpan(length), destination.Span, associatedData.Span);
            return ValueTask.FromResult(true);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(destination.Span);
            return ValueTask.FromResult(false);
        }
        finally
        {
            ReturnCipher(epoch, aes);
        }
    }

    /// <summary>Clears every key.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var ciphers in _ciphers.Values)
        {
            while (ciphers.TryDequeue(out var aes))
            {
                aes.Dispose();
            }
        }

        foreach (var (key, _) in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{nameof(LocalKeyEncryptionKeys)} (epochs {string.Join(", ", Epochs)})";

    /// <summary>The key id of a KEK: <c>kek-</c> and 16 hex digits of SHA-256 over a label and the key. Reveals nothing usable about the key.</summary>
    internal static string Fingerprint(ReadOnlySpan<byte> key)
    {
        Span<byte> input = stackalloc byte[KeyIdLabel.Length + KeyBytes];
        KeyIdLabel.CopyTo(input);
        key.CopyTo(input[KeyIdLabel.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        CryptographicOperations.ZeroMemory(input);
        return "kek-" + Convert.ToHexStringLower(hash[..8]);
    }

    private byte[] Kek(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keys.TryGetValue(epoch, out var entry) ? entry.Key : throw new VaultKeyUnavailableException(epoch);
    }

    private AesGcm RentCipher(int epoch)
    {
        var kek = Kek(epoch);
        return _ciphers[epoch].TryDequeue(out var aes) ? aes : new AesGcm(kek, TagBytes);
    }

    private void ReturnCipher(int epoch, AesGcm aes)
    {
        var ciphers = _ciphers[epoch];
        if (_disposed || ciphers.Count >= MaxPooledCiphers)
        {
            aes.Dispose();
            return;
        }

        ciphers.Enqueue(aes);
    }

    private static string? ReadFile(string setting, string path, Span<byte> key)
    {
        if (!System.IO.File.Exists(path))
        {
            return $"{setting}: the key file '{path}' does not exist. Create it with: (umask 077; openssl rand -base64 32 > '{path}')";
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = System.IO.File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                return $"{setting}: the key file '{path}' is open to its group or others (mode {Octal(mode)}). Make it readable by Keyward's user only: chmod 600 '{path}'";
            }
        }

        byte[] text;
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            if (stream.Length > MaxFileBytes)
            {
                return $"{setting}: the key file '{path}' is too large to be a key; it must hold 32 random bytes in base64 (openssl rand -base64 32).";
            }

            text = new byte[stream.Length];
            stream.ReadExactly(text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{setting}: the key file '{path}' cannot be read ({e.GetType().Name}). Check that Keyward's user owns it and can read it.";
        }

        try
        {
            return DecodeUtf8(text, key) ? null : $"{setting}: the key file '{path}' must hold exactly 32 random bytes in base64 (openssl rand -base64 32).";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(text);
        }
    }

    private static string? ReadVariable(string setting, string name, Func<string, string?> environment, Span<byte> key)
    {
        var value = environment(name);
        if (string.IsNullOrEmpty(value))
        {
            return $"{setting}: the environment variable '{name}' is not set. Set it to 32 random bytes in base64 (openssl rand -base64 32).";
        }

        return Convert.TryFromBase64String(value.Trim(), key, out var written) && written == KeyBytes
            ? null
            : $"{setting}: the environment variable '{name}' must hold exactly 32 random bytes in base64 (openssl rand -base64 32).";
    }

    private static bool DecodeUtf8(ReadOnlySpan<byte> text, Span<byte> key)
    {
        var trimmed = text.Trim(" \t\r\n"u8);
        if (Base64.GetMaxDecodedFromUtf8Length(trimmed.Length) > 64)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[64];
        try
        {
            var status = Base64.DecodeFromUtf8(trimmed, decoded, out _, out var written);
            if (status != System.Buffers.OperationStatus.Done || written != KeyBytes)
            {
                return false;
            }

            decoded[..KeyBytes].CopyTo(key);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
