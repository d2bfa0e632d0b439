using System.Formats.Cbor;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>One named negative test per step of WebAuthn L3 §7.1, each failing if its check were removed.</summary>
public sealed class RegistrationStepTests
{
    private static WebAuthnResult<RegistrationResult> Verify(ResponseBuilder b, RegistrationCeremony? ceremony = null, RelyingPartyPolicy? policy = null)
    {
        var credential = b.Registration();
        return Create(policy).VerifyRegistration(credential, ceremony ?? Registration(b));
    }

    [Fact]
    public void Verify_ValidNoneRegistration_Succeeds()
    {
        using var b = new ResponseBuilder { SignCount = 0 };
        var result = Verify(b);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("none", result.Value.Format);
        Assert.Equal(AttestationType.None, result.Value.AttestationType);
        Assert.Equal(b.CredentialId, result.Value.CredentialId);
        Assert.Equal(b.CoseKey(), result.Value.PublicKey.Encoded);
    }

    [Fact]
    public void Verify_GetTypeAtRegistration_ReturnsClientDataTypeMismatch()
    {
        using var b = new ResponseBuilder { Type = "webauthn.gett" };
        AssertFails(Verify(b), "client_data_type_mismatch");
    }

    [Fact]
    public void Verify_WrongChallenge_ReturnsChallengeMismatch()
    {
        using var b = new ResponseBuilder();
        AssertFails(Verify(b, Registration(b) with { Challenge = new byte[32] }), "challenge_mismatch");
    }

    [Fact]
    public void Verify_ForeignOrigin_ReturnsOriginMismatch()
    {
        using var b = new ResponseBuilder { ClientOrigin = "http://example.org" };
        AssertFails(Verify(b), "origin_mismatch");
    }

    [Fact]
    public void Verify_CrossOrigin_ReturnsCrossOriginNotAllowed()
    {
        using var b = new ResponseBuilder { CrossOrigin = true };
        AssertFails(Verify(b), "cross_origin_not_allowed");
    }

    [Fact]
    public void Verify_OtherRpId_ReturnsRpIdMismatch()
    {
        using var b = new ResponseBuilder { AuthRpId = "example.com" };
        AssertFails(Verify(b), "rp_id_mismatch");
    }

    [Fact]
    public void Verify_UserNotPresent_ReturnsUserPresenceMissing()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.None };
        AssertFails(Verify(b), "user_presence_missing");
    }

    [Fact]
    public void Verify_UvRequiredButAbsent_ReturnsUserVerificationMissing()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent };
        AssertFails(Verify(b, Registration(b, UserVerificationRequirement.Required)), "user_verification_missing");
    }

    [Fact]
    public void Verify_BackupStateWithoutEligibility_ReturnsBackupStateInvalid()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState };
        AssertFails(Verify(b), "backup_state_invalid");
    }

    [Fact]
    public void Verify_AlgorithmNotOffered_ReturnsAlgorithmNotAllowed()
    {
        using var b = new ResponseBuilder();
        AssertFails(Verify(b, Registration(b) with { Algorithms = [Cose.CoseAlgorithm.EdDSA] }), "algorithm_not_allowed");
    }

    [Fact]
    public void Verify_KeyOnWrongCurveForAlgorithm_ReturnsPublicKeyInvalid()
    {
        // An ES384-labelled key carrying a P-256 point.
        using var b = new ResponseBuilder { Algorithm = -35 };
        AssertFails(Verify(b), "public_key_invalid");
    }

    [Fact]
    public void Verify_CredentialIdOver1023Bytes_ReturnsCredentialIdTooLong()
    {
        using var b = new ResponseBuilder { CredentialIdInAuthData = new byte[1024] };
        AssertFails(Verify(b), "credential_id_too_long");
    }

    [Fact]
    public void Verify_RawIdDiffersFromAuthData_ReturnsCredentialIdMismatch()
    {
        using var b = new ResponseBuilder { CredentialIdInAuthData = new byte[16] };
        AssertFails(Verify(b), "credential_id_mismatch");
    }

    [Fact]
    public void Verify_UnknownFormat_ReturnsAttestationFormatUnsupported()
    {
        using var b = new ResponseBuilder { Format = "x-vendor" };
        AssertFails(Verify(b), "attestation_format_unsupported");
    }

    [Fact]
    public void Verify_SafetyNet_ReturnsAttestationFormatRefused()
    {
        using var b = new ResponseBuilder { Format = "android-safetynet" };
        AssertFails(Verify(b), "attestation_format_refused");
    }

    [Fact]
    public void Verify_NoneWithStatement_ReturnsAttestationInvalid()
    {
        using var b = new ResponseBuilder();
        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(3);
        w.WriteTextString("fmt");
        w.WriteTextString("none");
        w.WriteTextString("attStmt");
        w.WriteStartMap(1);
        w.WriteTextString("sig");
        w.WriteByteString([1]);
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteByteString(b.AuthenticatorData(attested: true));
        w.WriteEndMap();
        b.AttestationObjectOverride = w.Encode();
        AssertFails(Verify(b), "attestation_invalid");
    }

    [Fact]
    public void Verify_TrailingBytesAfterAttestationObject_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = [.. b.AttestationObject(b.AuthenticatorData(attested: true)), 0x00];
        AssertFails(Verify(b), "malformed_cbor");
    }

    [Fact]
    public void Verify_DuplicateMapKey_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(4);
        w.WriteTextString("fmt");
        w.WriteTextString("none");
        w.WriteTextString("fmt");
        w.WriteTextString("packed");
        w.WriteTextString("attStmt");
        w.WriteStartMap(0);
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteByteString(b.AuthenticatorData(attested: true));
        w.WriteEndMap();
        b.AttestationObjectOverride = w.Encode();
        AssertFails(Verify(b), "malformed_cbor");
    }

    [Fact]
    public void Verify_MissingAttestedCredentialData_ReturnsAttestedCredentialDataInvalid()
    {
        using var b = new ResponseBuilder();
        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(3);
        w.WriteTextString("fmt");
        w.WriteTextString("none");
        w.WriteTextString("attStmt");
        w.WriteStartMap(0);
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteByteString(b.AuthenticatorData(attested: false));
        w.WriteEndMap();
        b.AttestationObjectOverride = w.Encode();
        AssertFails(Verify(b), "attested_credential_data_invalid");
    }

    [Fact]
    public void Verify_OversizedAttestationObject_ReturnsMalformedCbor()
    {
        using var b = new ResponseBuilder();
        b.AttestationObjectOverride = new byte[70 * 1024];
        AssertFails(Verify(b), "malformed_cbor");
    }

    [Fact]
    public void Verify_NoneAttestationWhenTrustRequired_ReturnsAttestationUntrusted()
    {
        using var b = new ResponseBuilder();
        using var ca = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test Root", ca, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        AssertFails(Verify(b, policy: Policy with { AttestationTrust = AttestationTrustPolicy.RequireTrusted, TrustAnchors = [root] }), "attestation_untrusted");
    }
}
