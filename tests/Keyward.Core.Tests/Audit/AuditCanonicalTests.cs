using System.Security.Cryptography;
using System.Text;
using Keyward.Core.Audit;

namespace Keyward.Core.Tests.Audit;

/// <summary>The canonical event bytes, byte for byte, as docs/audit.md documents them.</summary>
public sealed class AuditCanonicalTests
{
    private static readonly AuditEvent Sample = new()
    {
        Sequence = 42,
        Time = 1_767_225_600_123,
        TenantId = "default",
        Actor = "alice",
        Action = AuditActions.SignInSucceeded,
        Target = null,
        Outcome = AuditOutcomes.Success,
        ClientAddress = "192.0.2.7",
        Details = new Dictionary<string, string> { ["zeta"] = "last", ["Alpha"] = "upper first", ["key"] = "kws_AbCd" },
    };

    // The worked example of docs/audit.md: a third party recomputing it must get this.
    private const string SampleLeafHash = "18bf747d92202256c30a63760ee4bc8973b11495943c9f1d3a1bc37b374cbbfb";

    [Fact]
    public void Encode_SampleEvent_IsJcsWithSortedMembersAndNoWhitespace()
    {
        var text = Encoding.UTF8.GetString(AuditCanonical.Encode(Sample));

        Assert.Equal(
            """{"action":"signin.succeeded","actor":"alice","client":"192.0.2.7","details":{"Alpha":"upper first","key":"kws_AbCd","zeta":"last"},"outcome":"success","sequence":42,"target":null,"tenant":"default","time":1767225600123}""",
            text);
    }

    [Fact]
    public void LeafHash_SampleEvent_IsSha256OfZeroByteAndCanonicalBytes()
    {
        var expected = SHA256.HashData([0x00, .. AuditCanonical.Encode(Sample)]);

        Assert.Equal(expected, AuditCanonical.LeafHash(Sample));
        Assert.Equal(SampleLeafHash, Convert.ToHexStringLower(expected));
    }

    [Fact]
    public void Encode_StringsNeedingEscapes_UseOnlyJsonRequiredEscapes()
    {
        var e = Sample with
        {
            Actor = "q\"b\\s/\b\f\n\r\t\u0001\u001f\u007f<>&'é€😀",
            Details = new Dictionary<string, string>(),
        };

        var text = Encoding.UTF8.GetString(AuditCanonical.Encode(e));

        // RFC 8785 §3.2.2.2: only ", \ and controls are escaped; '/', DEL, HTML characters and non-ASCII are literal UTF-8.
        Assert.Contains("\"actor\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u007f<>&'é€😀\"", text, StringComparison.Ordinal);
        Assert.Contains("\"details\":{}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_DetailsKeys_AreSortedByUtf16CodeUnits()
    {
        // U+FF61 sorts after U+1F600's high surrogate (D83D) by code units, though not by code points.
        var e = Sample with { Details = new Dictionary<string, string> { ["\uFF61"] = "a", ["😀"] = "b", ["b"] = "c", ["B"] = "d" } };

        var text = Encoding.UTF8.GetString(AuditCanonical.Encode(e));

        Assert.Contains("\"details\":{\"B\":\"d\",\"b\":\"c\",\"😀\":\"b\",\"\uFF61\":\"a\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NegativeAndLargeIntegers_ArePlainDecimal()
    {
        var text = Encoding.UTF8.GetString(AuditCanonical.Encode(Sample with { Sequence = 9_007_199_254_740_991, Time = -5 }));

        Assert.Contains("\"sequence\":9007199254740991", text, StringComparison.Ordinal);
        Assert.EndsWith("\"time\":-5}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_UnpairedSurrogatesAndNul_BecomeReplacementCharacter()
    {
        Assert.Equal("a\uFFFDb\uFFFDc😀\uFFFD", AuditCanonical.Sanitize("a\uD800b\0c😀\uDC00"));
        Assert.Same("plain", AuditCanonical.Sanitize("plain"));
    }

    [Fact]
    public void DetailsJson_IsTheCanonicalDetailsObject()
    {
        Assert.Equal("""{"a":"1","b":"x\ny"}""", AuditCanonical.DetailsJson(new Dictionary<string, string> { ["b"] = "x\ny", ["a"] = "1" }));
    }
}
