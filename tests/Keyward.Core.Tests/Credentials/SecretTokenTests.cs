using System.IO.Hashing;
using System.Numerics;
using System.Text;
using Keyward.Core.Credentials;

namespace Keyward.Core.Tests.Credentials;

/// <summary>
/// <see cref="SecretToken"/>: the wire form <c>kw&lt;k&gt;_</c> + 43 base62 characters + a 6-character base62 CRC-32,
/// refusal of malformed tokens and of tokens of another kind, hashes that include the kind, and redaction.
/// </summary>
public sealed class SecretTokenTests
{
    private const string Base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static TheoryData<CredentialKind, string> Prefixes => new()
    {
        { CredentialKind.Invite, "kwi_" },
        { CredentialKind.Session, "kws_" },
        { CredentialKind.WebSocketTicket, "kwt_" },
        { CredentialKind.Internal, "kwn_" },
        { CredentialKind.Join, "kwj_" },
        { CredentialKind.Enroll, "kwe_" },
        { CredentialKind.Agent, "kwa_" },
    };

    public static TheoryData<CredentialKind, CredentialKind> OtherKinds()
    {
        var data = new TheoryData<CredentialKind, CredentialKind>();
        foreach (var issued in Enum.GetValues<CredentialKind>())
        {
            foreach (var expected in Enum.GetValues<CredentialKind>().Where(k => k != issued))
            {
                data.Add(issued, expected);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Generate_EachKind_IsItsPrefixThen43Base62ThenA6CharacterChecksum(CredentialKind kind, string prefix)
    {
        var token = SecretToken.Generate(kind);

        Assert.Equal(prefix, SecretToken.Prefix(kind));
        Assert.Equal(4 + 43 + 6, SecretToken.Length);
        Assert.Matches("^" + prefix + "[0-9A-Za-z]{49}$", token);
        Assert.True(SecretToken.IsWellFormed(kind, token));
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Generate_EachKind_EndsWithTheBase62Crc32OfEverythingBefore(CredentialKind kind, string prefix)
    {
        var token = SecretToken.Generate(kind);
        var head = token[..^6];

        var crc = Crc32.HashToUInt32(Encoding.ASCII.GetBytes(head));

        Assert.StartsWith(prefix, head, StringComparison.Ordinal);
        Assert.Equal(crc, FromBase62(token[^6..]));
    }

    [Fact]
    public void Generate_ManyTokens_AreAllDistinct()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => SecretToken.Generate(CredentialKind.Session)).ToList();

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Prefix_UnknownKind_Throws()
    {
        // Deny what is not listed: no prefix, no token, for a kind the catalogue does not name.
        Assert.Throws<ArgumentOutOfRangeException>(() => SecretToken.Prefix((CredentialKind)99));
    }

    [Fact]
    public void IsWellFormed_AnySingleCharacterAfterThePrefixChanged_ReturnsFalse()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        for (var i = 4; i < token.Length; i++)
        {
            var replacement = Base62Alphabet[(Base62Alphabet.IndexOf(token[i], StringComparison.Ordinal) + 1) % Base62Alphabet.Length];
            var changed = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
            Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, changed), $"changed at {i}: {changed}");
        }
    }

    [Theory]
    [MemberData(nameof(OtherKinds))]
    public void IsWellFormed_TokenOfAnotherKind_ReturnsFalse(CredentialKind issued, CredentialKind expected)
    {
        Assert.False(SecretToken.IsWellFormed(expected, SecretToken.Generate(issued)));
    }

    [Theory]
    [MemberData(nameof(OtherKinds))]
    public void IsWellFormed_PrefixRewrittenToTheExpectedKind_ReturnsFalse(CredentialKind issued, CredentialKind expected)
    {
        // The checksum covers the prefix, so relabelling a credential does not make it one of another kind.
        var relabelled = SecretToken.Prefix(expected) + SecretToken.Generate(issued)[4..];

        Assert.False(SecretToken.IsWellFormed(expected, relabelled));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kws_")]
    [InlineData("Bearer kws_")]
    public void IsWellFormed_MissingOrEmpty_ReturnsFalse(string? token)
    {
        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, token));
    }

    [Fact]
    public void IsWellFormed_TruncatedOrExtended_ReturnsFalse()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, token[..^1]));
        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, token + "0"));
        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, " " + token));
    }

    [Theory]
    [InlineData('-')]
    [InlineData('_')]
    [InlineData('+')]
    [InlineData('/')]
    [InlineData('é')]
    public void IsWellFormed_NonBase62CharacterInTheBody_ReturnsFalse(char outsider)
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, string.Concat(token.AsSpan(0, 10), outsider.ToString(), token.AsSpan(11))));
    }

    [Fact]
    public void IsWellFormed_UppercasePrefix_ReturnsFalse()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        Assert.False(SecretToken.IsWellFormed(CredentialKind.Session, "KWS_" + token[4..]));
    }

    [Fact]
    public void Hash_SameKindAndToken_IsStable()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        Assert.Equal(SecretToken.Hash(CredentialKind.Session, token), SecretToken.Hash(CredentialKind.Session, token));
        Assert.Equal(32, SecretToken.Hash(CredentialKind.Session, token).Length);
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Hash_EachKind_IsSha256OfDomainPrefixAndToken_InBothForms(CredentialKind kind, string prefix)
    {
        // Stored hashes must never change: pinned to their definition, computed independently of SecretToken.
        var token = SecretToken.Generate(kind);
        var expected = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("keyward/" + prefix + "/" + token));
        Span<byte> span = stackalloc byte[SecretToken.HashLength];

        SecretToken.Hash(kind, token, span);

        Assert.Equal(expected, SecretToken.Hash(kind, token));
        Assert.Equal(expected, span.ToArray());
    }

    [Fact]
    public void IsWellFormed_ChecksumIsBase62OfBigEndianCrc32_AsFirstDefined()
    {
        // The checksum once came from BigInteger base62 of the CRC's big-endian bytes; tokens issued then must still pass.
        for (var i = 0; i < 200; i++)
        {
            var token = SecretToken.Generate(CredentialKind.Session);
            var head = token[..^6];
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, System.IO.Hashing.Crc32.HashToUInt32(System.Text.Encoding.ASCII.GetBytes(head)));

            Assert.Equal(Base62.Encode(crc, 6), token[^6..]);
            Assert.True(SecretToken.IsWellFormed(CredentialKind.Session, head + Base62.Encode(crc, 6)));
        }
    }

    [Fact]
    public void Hash_SameTokenUnderEachKind_GivesDistinctHashes()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        var hashes = Enum.GetValues<CredentialKind>().Select(kind => Convert.ToHexString(SecretToken.Hash(kind, token))).ToList();

        Assert.Equal(hashes.Count, hashes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Redact_Token_ShowsAtMostItsFirst8Characters()
    {
        var token = SecretToken.Generate(CredentialKind.Session);

        var redacted = SecretToken.Redact(token);
        var shown = redacted.TrimEnd('…');

        Assert.True(shown.Length <= 8, redacted);
        Assert.StartsWith(shown, token, StringComparison.Ordinal);
        Assert.Equal(token[..8], shown);
    }

    [Theory]
    [InlineData("kws_abcd", "kws_abcd")]
    [InlineData("short", "short")]
    [InlineData("", "")]
    [InlineData(null, "(none)")]
    public void Redact_EightCharactersOrFewer_ReturnsThemAsTheyAre(string? value, string expected)
    {
        Assert.Equal(expected, SecretToken.Redact(value));
    }

    private static uint FromBase62(string text)
    {
        var value = BigInteger.Zero;
        foreach (var c in text)
        {
            value = (value * 62) + Base62Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return (uint)value;
    }
}
