using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Accounts;

/// <summary>
/// The server secret recovery codes are hashed under (HMAC-SHA256). Kept outside the database (the host keeps it in
/// the data directory), so a copy of the database alone cannot test guesses against the stored hashes.
/// </summary>
public sealed class RecoveryCodeKey
{
    private readonly byte[] _key;

    /// <summary>A key of at least 32 bytes.</summary>
    public RecoveryCodeKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("A recovery code key has at least 32 bytes.", nameof(key));
        }

        _key = [.. key];
    }

    /// <summary>A new random key.</summary>
    public static RecoveryCodeKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The keyed hash of a normalized code of an account: bound to the account, so a code works for it alone.</summary>
    public byte[] Hash(Guid accountId, string normalized) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"keyward/recovery/{accountId:N}/{normalized}"));
}
