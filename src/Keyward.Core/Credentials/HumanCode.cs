using System.Security.Cryptography;
using System.Text;

namespace Keyward.Core.Credentials;

/// <summary>
/// Short codes a person reads aloud or types: 12 Crockford base32 characters (60 bits) as XXXX-XXXX-XXXX.
/// Input is normalized the Crockford way (case, I/L→1, O→0, dashes and spaces ignored) before hashing.
/// </summary>
public static class HumanCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new random code.</summary>
    public static string Generate()
    {
        Span<char> chars = stackalloc char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"{chars[..4]}-{chars[4..8]}-{chars[8..]}";
    }

    /// <summary>The canonical 12 characters, or null when the input cannot be a code.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null || input.Length > 32)
        {
            return null;
        }

        var sb = new StringBuilder(12);
        foreach (var raw in input)
        {
            if (raw is '-' or ' ')
            {
                continue;
            }

            var c = char.ToUpperInvariant(raw) switch
            {
                'I' or 'L' => '1',
                'O' => '0',
                var other => other,
            };
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }

            sb.Append(c);
        }

        return sb.Length == 12 ? sb.ToString() : null;
    }

    /// <summary>The stored form of a code of a given purpose.</summary>
    public static byte[] Hash(string purpose, string normalized) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"keyward/{purpose}/{normalized}"));
}
