using System.Numerics;
using System.Security.Cryptography;
using Keyward.Core.Credentials;

namespace Keyward.Core.Tests.Credentials;

/// <summary>The fixed-width base62 behind every token, and the redaction and hashing helpers' edges.</summary>
public sealed class Base62Tests
{
    [Fact]
    public void Encode_ValueWiderThanTheWidth_Throws() =>
        Assert.Throws<ArgumentException>(() => Base62.Encode([0xFF, 0xFF, 0xFF, 0xFF], 5));

    [Fact]
    public void Encode_LargestValueThatFits_IsAllZs() =>
        Assert.Equal("zz", Base62.Encode([0x0F, 0x03], 2)); // 3843 = 62^2 - 1

    [Fact]
    public void Encode_32Bytes_WritesTheSameCharactersAsTheBigIntegerEncoding()
    {
        // The limb encoder replaced BigInteger (issue 15): every token body must be the same string as before for the
        // same random bytes, so format, alphabet, length and entropy are unchanged. Edge values, then random ones.
        var inputs = new List<byte[]> { new byte[32], Enumerable.Repeat((byte)0xFF, 32).ToArray() };
        for (var bit = 0; bit < 256; bit++)
        {
            var single = new byte[32];
            single[bit / 8] = (byte)(0x80 >> (bit % 8));
            inputs.Add(single);
        }

        for (var power = 1; power <= 42; power++)
        {
            foreach (var delta in new[] { -1, 0, 1 })
            {
                inputs.Add(ToBytes(BigInteger.Pow(62, power) + delta, 32));
            }
        }

        for (var i = 0; i < 5000; i++)
        {
            inputs.Add(RandomNumberGenerator.GetBytes(32));
        }

        foreach (var input in inputs)
        {
            Assert.Equal(ReferenceEncode(input, 43), Base62.Encode(input, 43));
        }
    }

    [Fact]
    public void Encode_EveryLengthUpToTheMaximum_WritesTheSameCharactersAsTheBigIntegerEncoding()
    {
        for (var length = 0; length <= Base62.MaxBytes; length++)
        {
            var width = (int)Math.Ceiling(length * 8 / Math.Log2(62)) + 1;
            for (var i = 0; i < 20; i++)
            {
                var input = RandomNumberGenerator.GetBytes(length);
                Assert.Equal(ReferenceEncode(input, width), Base62.Encode(input, width));
            }
        }
    }

    [Fact]
    public void Encode_LargestValueOf32Bytes_NeedsAll43Characters()
    {
        var largest = Enumerable.Repeat((byte)0xFF, 32).ToArray();

        Assert.Throws<ArgumentException>(() => Base62.Encode(largest, 42));
        Assert.Equal(ReferenceEncode(largest, 43), Base62.Encode(largest, 43));
    }

    [Fact]
    public void Encode_MoreBytesThanTheMaximum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Base62.Encode(new byte[Base62.MaxBytes + 1], 100));

    [Fact]
    public void SecretTokenGenerate_BodyDecodesToA256BitValueThatEncodesBackToIt()
    {
        // The body is a bijective image of the 32 random bytes: it decodes to a value below 2^256 (so no body outside
        // the old range is ever issued) and re-encodes to itself; 100,000 tokens are all distinct.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 100_000; i++)
        {
            var token = SecretToken.Generate(CredentialKind.WebSocketTicket);
            Assert.True(seen.Add(token));
            if (i % 100 == 0)
            {
                var body = token[4..^6];
                var value = body.Aggregate(BigInteger.Zero, (v, c) => (v * 62) + Base62.Alphabet.IndexOf(c, StringComparison.Ordinal));
                Assert.True(value < BigInteger.One << 256);
                Assert.Equal(body, Base62.Encode(ToBytes(value, 32), 43));
            }
        }
    }

    [Theory]
    [InlineData("0123456789", true)]
    [InlineData("ABCXYZabcxyz", true)]
    [InlineData("", true)]
    [InlineData("abc-def", false)]
    [InlineData("abc_def", false)]
    [InlineData("abc def", false)]
    [InlineData("abc/", false)]
    [InlineData("é", false)]
    public void IsBase62_OnlyDigitsAndAsciiLetters(string text, bool expected) => Assert.Equal(expected, Base62.IsBase62(text));

    [Fact]
    public void SecretTokenRedact_Null_IsNone() => Assert.Equal("(none)", SecretToken.Redact(null));

    [Fact]
    public void SecretTokenHash_NullToken_Throws() =>
        Assert.Throws<ArgumentNullException>(() => SecretToken.Hash(CredentialKind.Session, null!));

    // The encoding before issue 15's cut, kept here as the reference the new one must match.
    private static string ReferenceEncode(ReadOnlySpan<byte> data, int width)
    {
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 62, out var remainder);
            chars[i] = Base62.Alphabet[(int)remainder];
        }

        Assert.True(value.IsZero);
        return new string(chars);
    }

    private static byte[] ToBytes(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
