using System.Text;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// WebAuthn L3 §7.1 step 5 / §7.2 step 8 decode clientDataJSON with WHATWG "UTF-8 decode", which strips one leading
/// byte order mark. Anywhere else a BOM is what JSON makes of U+FEFF: not whitespace, but a character inside a string.
/// </summary>
public sealed class ClientDataBomTests
{
    private const string Bom = "\uFEFF";

    [Fact]
    public void VerifyAssertion_LeadingBom_Succeeds()
    {
        using var b = new ResponseBuilder();
        b.RawClientData = Bom + ClientDataText(b);

        var result = Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored());

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void VerifyRegistration_LeadingBom_Succeeds()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create" };
        b.RawClientData = Bom + ClientDataText(b);

        var result = Create().VerifyRegistration(b.Registration(), Registration(b));

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void VerifyAssertion_TwoLeadingBoms_ReturnsMalformedClientData()
    {
        using var b = new ResponseBuilder();
        b.RawClientData = Bom + Bom + ClientDataText(b);

        AssertFails(Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored()), "malformed_client_data");
    }

    [Fact]
    public void VerifyAssertion_BomBetweenMembers_ReturnsMalformedClientData()
    {
        using var b = new ResponseBuilder();
        b.RawClientData = ClientDataText(b).Replace(",\"origin\"", "," + Bom + "\"origin\"", StringComparison.Ordinal);

        AssertFails(Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored()), "malformed_client_data");
    }

    [Fact]
    public void VerifyAssertion_BomInsideOrigin_ReturnsOriginMismatch()
    {
        using var b = new ResponseBuilder { ClientOrigin = Bom + ResponseBuilder.Origin };

        AssertFails(Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored()), "origin_mismatch");
    }

    private static string ClientDataText(ResponseBuilder b) => Encoding.UTF8.GetString(b.ClientDataJson());
}
