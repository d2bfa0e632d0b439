using System.Formats.Cbor;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// What an authenticator encodes (the credential public key and extension outputs in authenticator data) is CTAP2
/// canonical CBOR (CTAP 2.1 §8), so indefinite lengths there are refused. The attestation object is encoded by the
/// client; indefinite lengths in it are read (docs/webauthn.md, "Decisions where verifiers disagree").
/// </summary>
public sealed class IndefiniteLengthTests
{
    [Fact]
    public void VerifyRegistration_IndefiniteLengthMapInCredentialPublicKey_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder { IndefiniteLengthKeyMap = true };
        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
    }

    [Fact]
    public void VerifyRegistration_ChunkedByteStringInCredentialPublicKey_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder { ChunkedKeyX = true };
        AssertFails(Create().VerifyRegistration(b.Registration(), Registration(b)), "malformed_cbor");
    }

    [Fact]
    public void VerifyAssertion_IndefiniteLengthStoredPublicKey_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder { IndefiniteLengthKeyMap = true };
        AssertFails(Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored()), "malformed_cbor");
    }

    [Fact]
    public void VerifyAssertion_IndefiniteLengthExtensionOutputs_ReturnsExtensionsInvalid()
    {
        // {_ "a": 1}: an indefinite-length map of extension outputs.
        using var b = new ResponseBuilder
        {
            Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.ExtensionData,
            TrailingAuthData = [0xBF, 0x61, 0x61, 0x01, 0xFF],
        };
        AssertFails(Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored()), "extensions_invalid");
    }

    [Fact]
    public void VerifyAssertion_DefiniteLengthExtensionOutputs_Succeeds()
    {
        using var b = new ResponseBuilder
        {
            Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.ExtensionData,
            TrailingAuthData = [0xA1, 0x61, 0x61, 0x01],
        };
        var result = Create().VerifyAssertion(b.Assertion(), Ceremony(b), b.Stored());
        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void VerifyRegistration_IndefiniteLengthAttestationObject_Succeeds()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create" };
        var authData = b.AuthenticatorData(attested: true);
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(null);
        w.WriteTextString("fmt");
        w.WriteTextString("none");
        w.WriteTextString("attStmt");
        w.WriteStartMap(null);
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteStartIndefiniteLengthByteString();
        w.WriteByteString(authData.AsSpan(0, 37));
        w.WriteByteString(authData.AsSpan(37));
        w.WriteEndIndefiniteLengthByteString();
        w.WriteEndMap();
        b.AttestationObjectOverride = w.Encode();

        var result = Create().VerifyRegistration(b.Registration(), Registration(b));

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }
}
