using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>
/// The encrypted key file: a JSON envelope
/// <c>{"format":"keyward-virtual-key/1","kdf":"pbkdf2-sha256","iterations","salt","nonce","ciphertext","tag"}</c>
/// (binary members unpadded base64url) around an AES-256-GCM ciphertext. The key is PBKDF2-HMAC-SHA256 of the
/// passphrase; the envelope header is the associated data, so editing any member makes decryption fail.
/// </summary>
internal static class KeyFile
{
    public const string Format = "keyward-virtual-key/1";

    public const string Kdf = "pbkdf2-sha256";

    /// <summary>Largest key file read; far above any real one, low enough to refuse a wrong file quickly.</summary>
    public const int MaxFileLength = 16 * 1024 * 1024;

    private const int SaltLength = 16;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int KeyLength = 32;

    /// <summary>Encrypts <paramref name="plaintext"/> and writes the file atomically, readable by its owner only.</summary>
    public static void Write(string path, string passphrase, int iterations, ReadOnlySpan<byte> plaintext)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var nonce = RandomNumberGenerator.GetBytes(NonceLength);
        var tag = new byte[TagLength];
        var ciphertext = new byte[plaintext.Length];
        Span<byte> key = stackalloc byte[KeyLength];
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, key, iterations, HashAlgorithmName.SHA256);
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(iterations, salt));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        var envelope = new MemoryStream();
        using (var w = new Utf8JsonWriter(envelope, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteString("kdf", Kdf);
            w.WriteNumber("iterations", iterations);
            w.WriteString("salt", Base64Url.Encode(salt));
            w.WriteString("nonce", Base64Url.Encode(nonce));
            w.WriteString("ciphertext", Base64Url.Encode(ciphertext));
            w.WriteString("tag", Base64Url.Encode(tag));
            w.WriteEndObject();
        }

        WriteAtomically(path, envelope.ToArray());
    }

    /// <summary>Reads and decrypts a key file. The caller zeroes the returned plaintext.</summary>
    public static AuthenticatorResult<byte[]> Read(string path, string passphrase)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileLength)
        {
            return Invalid($"larger than {MaxFileLength} bytes");
        }

        // Tolerate the UTF-8 byte order mark an editor may add; the envelope holds nothing secret.
        var bytes = File.ReadAllBytes(path).AsMemory();
        if (bytes.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        int iterations;
        byte[] salt, nonce, ciphertext, tag;
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String)
            {
                return Invalid("no format member");
            }

            if (format.GetString() != Format)
            {
                return Invalid($"format \"{format.GetString()}\" is not supported; expected \"{Format}\"");
            }

            if (!root.TryGetProperty("kdf", out var kdf) || kdf.ValueKind != JsonValueKind.String || kdf.GetString() != Kdf)
            {
                return Invalid($"kdf must be \"{Kdf}\"");
            }

            if (!root.TryGetProperty("iterations", out var count) || !count.TryGetInt32(out iterations)
                || iterations is < VirtualAuthenticatorOptions.MinimumKeyFileIterations or > VirtualAuthenticatorOptions.MaximumKeyFileIterations)
            {
                return Invalid("iterations is missing or out of range");
            }

            if (!Bytes(root, "salt", out salt) || salt.Length < SaltLength
                || !Bytes(root, "nonce", out nonce) || nonce.Length != NonceLength
                || !Bytes(root, "ciphertext", out ciphertext)
                || !Bytes(root, "tag", out tag) || tag.Length != TagLength)
            {
                return Invalid("salt, nonce, ciphertext or tag is missing or malformed");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Invalid("not a JSON key file envelope, or a member has the wrong type");
        }

        var plaintext = new byte[ciphertext.Length];
        Span<byte> key = stackalloc byte[KeyLength];
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, key, iterations, HashAlgorithmName.SHA256);
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(iterations, salt));
            return AuthenticatorResult<byte[]>.Ok(plaintext);
        }
        catch (CryptographicException)
        {
            // AuthenticationTagMismatchException: the two causes cannot be told apart, by design of AEAD.
            CryptographicOperations.ZeroMemory(plaintext);
            return AuthenticatorResult<byte[]>.Fail(AuthenticatorError.KeyFileUnreadable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] AssociatedData(int iterations, byte[] salt) =>
        Encoding.UTF8.GetBytes($"{Format}\n{Kdf}\n{iterations}\n{Base64Url.Encode(salt)}");

    private static bool Bytes(JsonElement root, string name, out byte[] bytes)
    {
        bytes = [];
        return root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && Base64Url.TryDecode(element.GetString(), out bytes);
    }

    private static AuthenticatorResult<byte[]> Invalid(string detail) => AuthenticatorResult<byte[]>.Fail(AuthenticatorError.KeyFileInvalid, detail);

    /// <summary>
    /// Writes a temporary file beside the target, created with mode 0600 on Unix so the secret is never readable
    /// by others even for an instant, flushes it to disk, then renames it over the target.
    /// </summary>
    private static void WriteAtomically(string path, byte[] content)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException("The key file path has no directory.", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, streamOptions))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask can only remove bits from the create mode; set it anyway so the result never depends on it.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
