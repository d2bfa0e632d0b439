using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Credentials;

namespace Keyward.Core.Tests.Credentials;

/// <summary><see cref="HumanCode"/>: the XXXX-XXXX-XXXX shape, Crockford normalization and the stored hash.</summary>
public sealed class HumanCodeTests
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    [Fact]
    public void Generate_IsThreeGroupsOfFourCrockfordCharacters()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = HumanCode.Generate();

            Assert.Equal(14, code.Length);
            Assert.Equal('-', code[4]);
            Assert.Equal('-', code[9]);
            Assert.All(code.Replace("-", "", StringComparison.Ordinal), c => Assert.Contains(c, Alphabet));
            Assert.Equal(code.Replace("-", "", StringComparison.Ordinal), HumanCode.Normalize(code));
        }
    }

    [Fact]
    public void Generate_ManyCodes_AreDistinctAndUseTheWholeAlphabet()
    {
        var codes = Enumerable.Range(0, 500).Select(_ => HumanCode.Generate()).ToList();

        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(Alphabet.Length, codes.SelectMany(c => c.Replace("-", "", StringComparison.Ordinal)).Distinct().Count());
    }

    [Theory]
    [InlineData("ABCD-EFGH-JKMN", "ABCDEFGHJKMN")]
    [InlineData("abcd-efgh-jkmn", "ABCDEFGHJKMN")]
    [InlineData("ABCD EFGH JKMN", "ABCDEFGHJKMN")]
    [InlineData("ABCDEFGHJKMN", "ABCDEFGHJKMN")]
    [InlineData("IiLl-Oo00-1111", "111100001111")]
    [InlineData("  0123--4567  89AB  ", "0123456789AB")]
    public void Normalize_CrockfordEquivalents_GiveTheCanonicalTwelve(string input, string expected) =>
        Assert.Equal(expected, HumanCode.Normalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCD-EFGH-JKM")]
    [InlineData("ABCD-EFGH-JKMNP")]
    [InlineData("ABCD-EFGH-JKMU")]
    [InlineData("ABCD_EFGH_JKMN")]
    [InlineData("ABCD-EFGH-JKM*")]
    public void Normalize_NotACode_ReturnsNull(string? input) => Assert.Null(HumanCode.Normalize(input));

    [Fact]
    public void Normalize_Exactly32CharactersWithSeparators_IsAcceptedAnd33AreNot()
    {
        var at32 = "ABCD-EFGH-JKMN" + new string(' ', 18);
        var at33 = at32 + " ";

        Assert.Equal(32, at32.Length);
        Assert.Equal("ABCDEFGHJKMN", HumanCode.Normalize(at32));
        Assert.Null(HumanCode.Normalize(at33));
    }

    [Fact]
    public void Hash_IsSha256OfPurposeAndNormalizedCode()
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("keyward/setup/ABCDEFGHJKMN"));

        Assert.Equal(expected, HumanCode.Hash("setup", "ABCDEFGHJKMN"));
        Assert.NotEqual(expected, HumanCode.Hash("recovery", "ABCDEFGHJKMN"));
    }
}
