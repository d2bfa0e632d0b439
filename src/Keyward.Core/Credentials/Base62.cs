using System.Buffers.Binary;

namespace Keyward.Core.Credentials;

/// <summary>Fixed-width base62 (0-9A-Za-z), so tokens are URL-safe, double-click selectable and scanner-friendly.</summary>
/// <remarks>
/// The encoding reads the bytes as one unsigned big-endian integer and writes its base62 digits, most significant first,
/// left-padded with '0' to the width: the same characters the earlier <c>BigInteger</c> encoding wrote for every input,
/// by schoolbook long division on 32-bit limbs on the stack (no <c>BigInteger</c>, no allocation but the string). It is
/// a bijection between the values and their digit strings, so it adds no bias and loses no entropy: 32 random bytes
/// are 256 bits in 43 characters (62^43 &gt; 2^256).
/// </remarks>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The most input bytes <see cref="Encode(ReadOnlySpan{byte}, Span{char})"/> takes (limbs on the stack).</summary>
    public const int MaxBytes = 64;

    public static string Encode(ReadOnlySpan<byte> data, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        Span<char> chars = width <= 128 ? stackalloc char[width] : new char[width];
        Encode(data, chars);
        return new string(chars);
    }

    /// <summary>
    /// Writes <paramref name="data"/> (unsigned, big-endian) as exactly <paramref name="destination"/>.Length base62
    /// digits; throws when the value does not fit that many.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> data, Span<char> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxBytes, nameof(data));

        // Big-endian 32-bit limbs, the first one padded with leading zero bytes.
        Span<uint> limbs = stackalloc uint[(MaxBytes + 3) / 4];
        var count = (data.Length + 3) / 4;
        limbs = limbs[..count];
        if (count > 0)
        {
            var lead = data.Length - ((count - 1) * 4);
            var first = 0u;
            for (var i = 0; i < lead; i++)
            {
                first = (first << 8) | data[i];
            }

            limbs[0] = first;
            for (var i = 1; i < count; i++)
            {
                limbs[i] = BinaryPrimitives.ReadUInt32BigEndian(data[(lead + ((i - 1) * 4))..]);
            }
        }

        // Each pass divides the whole number by 62 and writes the remainder; leading zero limbs are skipped.
        var top = 0;
        for (var d = destination.Length - 1; d >= 0; d--)
        {
            while (top < count && limbs[top] == 0)
            {
                top++;
            }

            ulong remainder = 0;
            for (var i = top; i < count; i++)
            {
                var current = (remainder << 32) | limbs[i];
                limbs[i] = (uint)(current / 62);
                remainder = current % 62;
            }

            destination[d] = Alphabet[(int)remainder];
        }

        foreach (var limb in limbs)
        {
            if (limb != 0)
            {
                limbs.Clear();
                throw new ArgumentException("The value does not fit the width.", nameof(destination));
            }
        }
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
