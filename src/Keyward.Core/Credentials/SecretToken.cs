using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Credentials;

/// <summary>
/// Bearer credentials: <c>kw&lt;k&gt;_</c> + 32 random bytes in base62 (43 characters) + a 6-character base62
/// CRC-32 checksum of everything before it. The checksum lets a malformed or mistyped credential be refused without
/// a database read, and lets secret scanners recognize ours. Only <see cref="Hash"/> is ever stored.
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
        var head = Prefix(kind) + Base62.Encode(random, BodyLength);
        // Stryker disable once Statement : hygiene with no observable result, the random bytes are not used again
        CryptographicOperations.ZeroMemory(random);
        return head + Checksum(head);
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

        var expected = Checksum(head.ToString());
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token[^ChecksumLength..]));
    }

    /// <summary>
    /// The stored form: SHA-256 over the kind and the token. The token has 256 bits of entropy, so a fast hash is
    /// enough; including the kind means a hash of one kind never matches a lookup for another.
    /// </summary>
    public static byte[] Hash(CredentialKind kind, string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SHA256.HashData(Encoding.UTF8.GetBytes($"keyward/{Prefix(kind)}/{token}"));
    }

    /// <summary>What may appear in logs and audit records: the first 8 characters.</summary>
    public static string Redact(string? token) => token is null ? "(none)" : token.Length <= 8 ? token : token[..8] + "…";

    private static string Checksum(string head)
    {
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(Encoding.ASCII.GetBytes(head)));
        return Base62.Encode(crc, ChecksumLength);
    }
}
