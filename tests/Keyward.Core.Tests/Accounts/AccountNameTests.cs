using Keyward.Core.Accounts.Names;

namespace Keyward.Core.Tests.Accounts;

/// <summary>
/// <see cref="AccountName"/>: RFC 8265 UsernameCaseMapped (width mapping, lower case, NFC, IdentifierClass, Bidi Rule,
/// length) and Keyward's one-script rule. Non-ASCII input is written as escapes so the test says exactly which code
/// points it holds.
/// </summary>
public sealed class AccountNameTests
{
    public static TheoryData<string, string> SameName => new()
    {
        { "bob", "bob" },
        { "Bob", "bob" },
        { "BOB", "bob" },
        { "  bob ", "bob" },
        { "\uFF42\uFF4F\uFF42", "bob" },                 // ｂｏｂ, full-width: width mapping (NFKC of U+FF01..U+FFEE)
        { "\uFF22\uFF2F\uFF22", "bob" },                 // ＢＯＢ, full-width capitals: width mapping, then lower case
        { "Jose\u0301", "jos\u00E9" },                  // e + combining acute: NFC composes it to U+00E9
        { "JOS\u0045\u0301", "jos\u00E9" },             // E + combining acute: lower case, then NFC
        { "jos\u00E9", "jos\u00E9" },
        { "\u0392\u03A3", "\u03B2\u03C3" },              // Greek capitals: one script, lower case
        { "\u0412\u043E\u0432\u0430", "\u0432\u043E\u0432\u0430" }, // all-Cyrillic "Вова"
        { "\u5C71\u7530\u305F\u308D\u3046", "\u5C71\u7530\u305F\u308D\u3046" }, // 山田たろう: Han with Hiragana
        { "\u05D3\u05E0\u05D4", "\u05D3\u05E0\u05D4" },  // Hebrew, right to left: the Bidi Rule holds
        { "alice.smith@example", "alice.smith@example" }, // ASCII punctuation is in the IdentifierClass
        { "user2", "user2" },
    };

    public static TheoryData<string, AccountNameFault> NotAName => new()
    {
        { "", AccountNameFault.Empty },
        { "   ", AccountNameFault.Empty },
        { "b\u043Eb", AccountNameFault.MixedScript },         // bоb: Latin b, Cyrillic о
        { "\u0430dmin", AccountNameFault.MixedScript },        // аdmin: Cyrillic а
        { "p\u0430ypal", AccountNameFault.MixedScript },
        { "\u03BFk", AccountNameFault.MixedScript },           // Greek omicron with Latin k
        { "bob\u05D0", AccountNameFault.Direction },           // Latin then Hebrew: an L-first name may not hold R
        { "1\u05D0", AccountNameFault.Direction },             // RTL name that starts with a digit
        { "bob smith", AccountNameFault.DisallowedCharacter }, // space
        { "bob\u200Bsmith", AccountNameFault.DisallowedCharacter }, // zero-width space (Default_Ignorable)
        { "bo\u200Db", AccountNameFault.DisallowedCharacter },  // zero-width joiner (CONTEXTJ)
        { "bob\u00AD", AccountNameFault.DisallowedCharacter },  // soft hyphen
        { "\uFB01le", AccountNameFault.DisallowedCharacter },   // ﬁ ligature: HasCompat
        { "\u2126", AccountNameFault.DisallowedCharacter },     // OHM SIGN: HasCompat, though its lower case is ω
        { "x\u00B2", AccountNameFault.DisallowedCharacter },    // superscript two: HasCompat
        { "bob\u2603", AccountNameFault.DisallowedCharacter },  // snowman: a symbol
        { "bob\u0007", AccountNameFault.DisallowedCharacter },  // a control
        { "bob\uD800", AccountNameFault.DisallowedCharacter },  // a lone surrogate
        { "bob\u0378", AccountNameFault.DisallowedCharacter },  // unassigned
        { "bob\u3000x", AccountNameFault.DisallowedCharacter }, // ideographic space maps to a space
        { "\u1100\u1161", AccountNameFault.DisallowedCharacter }, // conjoining (old) Hangul jamo
        { new string('a', 65), AccountNameFault.TooLong },
        { new string('a', 201), AccountNameFault.TooLong },
        { string.Concat(Enumerable.Repeat("\U00020000", 51)), AccountNameFault.TooLong }, // 51 code points, 204 UTF-8 bytes
    };

    [Theory]
    [MemberData(nameof(SameName))]
    public void TryPrepare_ValidName_ReturnsItsPreparedForm(string input, string expected)
    {
        Assert.True(AccountName.TryPrepare(input, out var name, out var fault), fault.ToString());
        Assert.Equal(expected, name.Value);
        Assert.Equal(AccountNameFault.None, fault);
    }

    [Theory]
    [MemberData(nameof(NotAName))]
    public void TryPrepare_NotAName_ReturnsItsFault(string input, AccountNameFault expected)
    {
        Assert.False(AccountName.TryPrepare(input, out var name, out var fault));
        Assert.Null(name);
        Assert.Equal(expected, fault);
    }

    [Fact]
    public void TryPrepare_Null_IsEmpty()
    {
        Assert.False(AccountName.TryPrepare(null, out _, out var fault));
        Assert.Equal(AccountNameFault.Empty, fault);
    }

    [Fact]
    public void TryPrepare_FullWidthAndDecomposedForms_AreNormalizedNotPassedThrough()
    {
        // Under InvariantGlobalization, string.Normalize returns its input: this fails if names ever go through it.
        Assert.True(AccountName.TryPrepare("\uFF42\uFF4F\uFF42", out var fullWidth, out _));
        Assert.Equal("bob", fullWidth.Value);
        Assert.True(AccountName.TryPrepare("B\u0301", out var decomposed, out _));
        Assert.Equal("b\u0301", decomposed.Value); // no precomposed b with acute exists: NFC keeps both code points
        Assert.True(AccountName.TryPrepare("A\u030A", out var ring, out _));
        Assert.Equal("\u00E5", ring.Value); // A + combining ring above: lower case, then NFC composes å
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void TryPrepare_Length_IsBoundedInCodePoints(int length, bool valid)
    {
        Assert.Equal(valid, AccountName.TryPrepare(new string('a', length), out _, out _));
    }

    [Fact]
    public void TryPrepare_Length_IsBoundedInUtf8Bytes()
    {
        Assert.True(AccountName.TryPrepare(string.Concat(Enumerable.Repeat("\U00020000", 50)), out _, out _)); // 200 bytes
    }

    [Fact]
    public void TryPrepare_PreparedName_IsAFixedPoint()
    {
        foreach (var row in SameName)
        {
            var expected = (string)row[1];
            Assert.True(AccountName.TryPrepare(expected, out var again, out _));
            Assert.Equal(expected, again.Value);
        }
    }

    [Theory]
    [InlineData("bob", "BOB", true)]
    [InlineData("bob", "\uFF42\uFF4F\uFF42", true)]
    [InlineData("Bob", "Bob", true)]   // stored before names were prepared: its exact spelling still names it
    [InlineData("Bob", " Bob ", true)]
    [InlineData("b\u043Eb", "b\u043Eb", true)]
    [InlineData("bob", "b\u043Eb", false)]
    [InlineData("bob", "bobby", false)]
    public void Designates_TypedName_MatchesByLookupKeyOrExactLegacySpelling(string stored, string typed, bool expected)
    {
        Assert.Equal(expected, AccountName.Designates(stored, typed));
    }

    [Fact]
    public void LookupKey_LegacyNames_CollideWithTheirPreparedForm()
    {
        Assert.Equal("bob", AccountName.LookupKey("Bob"));
        Assert.Equal("bob", AccountName.LookupKey("\uFF22\uFF4F\uFF42"));
        Assert.Equal("b\u043Eb", AccountName.LookupKey("B\u041EB")); // mixed script: mapped, not refused
        Assert.Throws<ArgumentOutOfRangeException>(() => AccountName.LookupKey(new string('a', 201)));
    }
}
