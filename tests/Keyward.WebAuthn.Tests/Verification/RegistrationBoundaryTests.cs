using System.Formats.Cbor;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// The registration path at its edges: an attestationObject of exactly <see cref="RelyingPartyPolicy.MaxAttestationObjectLength"/>
/// bytes is read and one byte more is refused; members of the attestation object other than fmt, attStmt and
/// authData are ignored; the result carries the transports the client reported.
/// </summary>
public sealed class RegistrationBoundaryTests
{
    private static readonly RelyingPartyPolicy Small = Policy with { MaxAttestationObjectLength = 1024 };

    [Fact]
    public void VerifyRegistration_AttestationObjectOfExactlyTheLimit_Succeeds()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = Padded(b, 1024);

        var result = Create(Small).VerifyRegistration(b.Registration(), Registration(b));

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void VerifyRegistration_AttestationObjectOneByteOverTheLimit_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = Padded(b, 1025);

        AssertFails(Create(Small).VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
        Assert.True(Create(Small with { MaxAttestationObjectLength = 1025 }).VerifyRegistration(b.Registration(), Registration(b)).Succeeded);
    }

    [Theory]
    [InlineData("fmt")]
    [InlineData("attStmt")]
    [InlineData("authData")]
    public void VerifyRegistration_AttestationObjectMemberMissing_ReturnsMalformedCbor(string missing)
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = AttestationObject(b, missing: missing);

        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
    }

    [Fact]
    public void VerifyRegistration_AttestationObjectNotAMap_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        var w = new CborWriter();
        w.WriteStartArray(1);
        w.WriteTextString("none");
        w.WriteEndArray();
        b.AttestationObjectOverride = w.Encode();

        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
    }

    [Fact]
    public void VerifyRegistration_AttStmtNotAMap_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = AttestationObject(b, attStmtAsArray: true);

        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
    }

    [Fact]
    public void VerifyRegistration_AuthDataWithoutAttestedCredential_ReturnsAttestedCredentialDataInvalid()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = b.AttestationObject(b.AuthenticatorData(attested: false));

        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "attested_credential_data_invalid");
    }

    [Fact]
    public void VerifyRegistration_Result_CarriesFlagsCounterAndTransports()
    {
        using var b = new ResponseBuilder { SignCount = 7 };
        var json = b.RegistrationJson();
        json["response"]!["transports"] = new System.Text.Json.Nodes.JsonArray("usb", "nfc");
        var credential = RegistrationCredential.Parse(json.ToJsonString()).Value;

        var result = Create().VerifyRegistration(credential, Registration(b)).Value;

        Assert.Equal(7u, result.SignCount);
        Assert.Equal(b.Flags | AuthenticatorFlags.AttestedCredentialData, result.Flags);
        Assert.Equal(["usb", "nfc"], result.Transports);
        Assert.Equal(new byte[16], result.Aaguid);
        Assert.Empty(result.TrustPath);
        Assert.False(result.AttestationTrusted);
    }

    // {fmt: "none", attStmt: {}, authData: …, pad: h'00…'} of exactly `length` bytes.
    private static byte[] Padded(ResponseBuilder b, int length)
    {
        // An empty byte string is one byte; one of 256 ≤ n < 65536 bytes is n + 3.
        var n = length - AttestationObject(b, padding: 0).Length - 2;
        var padded = AttestationObject(b, padding: n);
        Assert.Equal(length, padded.Length);
        return padded;
    }

    private static byte[] AttestationObject(ResponseBuilder b, int? padding = null, string? missing = null, bool attStmtAsArray = false)
    {
        var authData = b.AuthenticatorData(attested: true);
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(null);
        if (missing != "fmt")
        {
            w.WriteTextString("fmt");
            w.WriteTextString("none");
        }

        if (missing != "attStmt")
        {
            w.WriteTextString("attStmt");
            if (attStmtAsArray)
            {
                w.WriteStartArray(0);
                w.WriteEndArray();
            }
            else
            {
                w.WriteStartMap(0);
                w.WriteEndMap();
            }
        }

        if (missing != "authData")
        {
            w.WriteTextString("authData");
            w.WriteByteString(authData);
        }

        if (padding is { } n)
        {
            w.WriteTextString("pad");
            w.WriteByteString(new byte[n]);
        }

        w.WriteEndMap();
        return w.Encode();
    }
}
