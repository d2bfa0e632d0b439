using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Credentials;

/// <summary>
/// Bearer credentials: <c>kw&lt;k&gt;_</c> + 32 random bytes in base62 (43 characters) + a 6-character base62
/// CRC-32 checksum of everything before it. The checksum lets a malformed or mistyped credential be refused without
/// a database read, and lets secret scanners recognize ours. Only <see cref="Hash(CredentialKind, string)"/> is ever stored.
/// </summary>
public static class SecretToken
{
    private const int BodyLength = 43;
    private const int ChecksumLength = 6;
    private const int PrefixLength = 4;

    /// <summary>The length of every token.</summary>
    public const int Length = PrefixLength + BodyLength + ChecksumLength;

    /// <summary>The wire prefix of a kind, e.g. <c>kws_</c>.</summary>
    public static string Prefix(CredentialKind kind) => kind switch
    {
        CredentialKind.Invite => "kwi_",
        CredentialKind.Session => "kws_",
        CredentialKind.WebSocketTicket => "kwt_",
        CredentialKind.Internal => "kwn_",
        CredentialKind.Join => "kwj_",
        CredentialKind.Enroll => "kwe_",
        CredentialKind.Agent => "kwa_",
        CredentialKind.Handoff => "kwh_",
        CredentialKind.AppSession => "kwp_",
        CredentialKind.Service => "kwv_",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Makes a new random credential of a kind.</summary>
    public static string Generate(CredentialKind kind)
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);

        // The whole token in one stack buffer, then one string: prefix, body, checksum of the two (issue 15: no
        // BigInteger, no intermediate strings per mint).
        Span<char> token = stackalloc char[Length];
        Prefix(kind).CopyTo(token);
        Base62.Encode(random, token.Slice(PrefixLength, BodyLength));
        Checksum(token[..(PrefixLength + BodyLength)], token[(PrefixLength + BodyLength)..]);
        var result = new string(token);
        // Stryker disable once Statement : hygiene with no observable result, the random bytes are not used again
        CryptographicOperations.ZeroMemory(random);
        // Stryker disable once Statement : hygiene with no observable result, the buffer is not used again
        token.Clear();
        return result;
    }

    /// <summary>
    /// True when <paramref name="token"/> is well-formed for <paramref name="kind"/>: right prefix, length, alphabet
    /// and checksum. A token of another kind is simply not well-formed here.
    /// </summary>
    public static bool IsWellFormed(CredentialKind kind, string? token)
    {
        if (token is null || token.Length != Length || !token.StartsWith(Prefix(kind), StringComparison.Ordinal))
        {
            return false;
        }

        var head = token.AsSpan(0, PrefixLength + BodyLength);
        if (!Base62.IsBase62(token.AsSpan(PrefixLength)))
        {
            return false;
        }

        // On the stack: this runs on every authenticated request (issue 15).
        Span<char> expected = stackalloc char[ChecksumLength];
        Checksum(head, expected);
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expected), MemoryMarshal.AsBytes(token.AsSpan(Length - ChecksumLength)));
    }

    /// <summary>
    /// The stored form: SHA-256 over the kind and the token. The token has 256 bits of entropy, so a fast hash is
    /// enough; including the kind means a hash of one kind never matches a lookup for another.
    /// </summary>
    public static byte[] Hash(CredentialKind kind, string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var hash = new byte[HashLength];
        Hash(kind, token, hash);
        return hash;
    }

    /// <summary>The length of <see cref="Hash(CredentialKind, string)"/>: a SHA-256 digest.</summary>
    public const int HashLength = 32;

    /// <summary>
    /// <see cref="Hash(CredentialKind, string)"/> written into <paramref name="destination"/> (<see cref="HashLength"/>
    /// bytes), with no allocation for a token of ordinary length: the per-request form of a session check.
    /// </summary>
    public static void Hash(CredentialKind kind, ReadOnlySpan<char> token, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HashLength, nameof(destination));
        var prefix = Prefix(kind);
        var length = HashDomain.Length + prefix.Length + 1 + Encoding.UTF8.GetByteCount(token);
        byte[]? rented = null;
        Span<byte> input = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            // The same bytes as UTF-8 of $"keyward/{prefix}/{token}".
            var written = Encoding.UTF8.GetBytes(HashDomain, input);
            written += Encoding.UTF8.GetBytes(prefix, input[written..]);
            input[written++] = (byte)'/';
            written += Encoding.UTF8.GetBytes(token, input[written..]);
            SHA256.HashData(input[..written], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>What may appear in logs and audit records: the first 8 characters.</summary>
    public static string Redact(string? token) => token is null ? "(none)" : token.Length <= 8 ? token : token[..8] + "…";

    private const string HashDomain = "keyward/";

    // Base62 of the big-endian CRC-32 of the ASCII head, ChecksumLength characters (62^6 > 2^32, so it always fits).
    private static void Checksum(ReadOnlySpan<char> head, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[PrefixLength + BodyLength];
        var bytes = Encoding.ASCII.GetBytes(head, ascii);
        var value = Crc32.HashToUInt32(ascii[..bytes]);
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            (value, var remainder) = Math.DivRem(value, 62u);
            destination[i] = Base62.Alphabet[(int)remainder];
        }
    }
}
