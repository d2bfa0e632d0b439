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
}
