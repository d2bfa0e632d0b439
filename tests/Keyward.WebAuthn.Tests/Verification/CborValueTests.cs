using Keyward.WebAuthn.Cbor;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// Map lookups on decoded CBOR: a text key never matches an integer key (or the reverse), and the typed lookups
/// answer false, with an empty value, when the member is absent or of another type.
/// </summary>
public sealed class CborValueTests
{
    // {"1": h'AA', 1: "one", "n": 7, "t": "text", 2: 9, -1: h'BB'}
    private static readonly CborValue Sample = CborValue.FromMap(
    [
        new(Text("1"), Bytes([0xAA])),
        new(Integer(1), Text("one")),
        new(Text("n"), Integer(7)),
        new(Text("t"), Text("text")),
        new(Integer(2), Integer(9)),
        new(Integer(-1), Bytes([0xBB])),
    ]);

    [Fact]
    public void TryGet_TextAndIntegerKeys_AreNotConfused()
    {
        Assert.True(Sample.TryGet("1", out var byText));
        Assert.Equal(CborKind.ByteString, byText.Kind);
        Assert.True(Sample.TryGet(1, out var byInteger));
        Assert.Equal("one", byInteger.Text);
    }

    [Fact]
    public void TryGet_Absent_FalseAndNull()
    {
        Assert.False(Sample.TryGet("absent", out var text));
        Assert.Same(CborValue.Null, text);
        Assert.False(Sample.TryGet(3, out var integer));
        Assert.Same(CborValue.Null, integer);
    }

    [Fact]
    public void TypedLookups_RightType_ReturnTheValue()
    {
        Assert.True(Sample.TryGetBytes("1", out var textKeyBytes));
        Assert.Equal([0xAA], textKeyBytes);
        Assert.True(Sample.TryGetBytes(-1, out var integerKeyBytes));
        Assert.Equal([0xBB], integerKeyBytes);
        Assert.True(Sample.TryGetInteger("n", out var textKeyInteger));
        Assert.Equal(7, textKeyInteger);
        Assert.True(Sample.TryGetInteger(2, out var integerKeyInteger));
        Assert.Equal(9, integerKeyInteger);
        Assert.True(Sample.TryGetText("t", out var text));
        Assert.Equal("text", text);
    }

    [Fact]
    public void TypedLookups_WrongTypeOrAbsent_FalseAndEmpty()
    {
        Assert.False(Sample.TryGetBytes("n", out var bytes));
        Assert.Empty(bytes);
        Assert.False(Sample.TryGetBytes(1, out bytes));
        Assert.Empty(bytes);
        Assert.False(Sample.TryGetBytes(5, out bytes));
        Assert.False(Sample.TryGetInteger("t", out var integer));
        Assert.Equal(0, integer);
        Assert.False(Sample.TryGetInteger(-1, out integer));
        Assert.Equal(0, integer);
        Assert.False(Sample.TryGetInteger("absent", out _));
        Assert.False(Sample.TryGetText("n", out var text));
        Assert.Equal(string.Empty, text);
        Assert.False(Sample.TryGetText("absent", out _));
    }

    [Fact]
    public void Lookups_OnAValueThatIsNotAMap_FindNothing()
    {
        Assert.False(Integer(1).TryGet(1, out _));
        Assert.False(Text("a").TryGet("a", out _));
        Assert.Empty(Integer(1).Entries);
        Assert.Empty(Integer(1).Items);
        Assert.Empty(Integer(1).Bytes);
        Assert.Equal(string.Empty, Integer(1).Text);
    }
}
