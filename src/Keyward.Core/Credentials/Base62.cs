using System.Numerics;

namespace Keyward.Core.Credentials;

/// <summary>Fixed-width base62 (0-9A-Za-z), so tokens are URL-safe, double-click selectable and scanner-friendly.</summary>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Encode(ReadOnlySpan<byte> data, int width)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 62, out var remainder);
            chars[i] = Alphabet[(int)remainder];
        }

        return value.IsZero ? new string(chars) : throw new ArgumentException("The value does not fit the width.", nameof(width));
    }

    public static bool IsBase62(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z')))
            {
                return false;
            }
        }

        return true;
    }
}
