using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>One named negative test per step of WebAuthn L3 §7.2, each failing if its check were removed.</summary>
public sealed class AssertionStepTests
{
    private static WebAuthnResult<AssertionResult> Verify(ResponseBuilder b, AssertionCeremony? ceremony = null, StoredCredential? stored = null, RelyingPartyPolicy? policy = null) =>
        Create(policy).VerifyAssertion(b.Assertion(), ceremony ?? Ceremony(b), stored ?? b.Stored());

    [Fact]
    public void Verify_ValidAssertion_Succeeds()
    {
        using var b = new ResponseBuilder();
        var result = Verify(b);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(5u, result.Value.SignCount);
        Assert.True(result.Value.UserVerified);
        Assert.False(result.Value.PossibleClone);
    }

    [Fact]
    public void Verify_WrongClientDataType_ReturnsClientDataTypeMismatch()
    {
        using var b = new ResponseBuilder { Type = "webauthn.create" };
        AssertFails(Verify(b), "client_data_type_mismatch");
    }

    [Fact]
    public void Verify_ReplayedChallenge_ReturnsChallengeMismatch()
    {
        using var b = new ResponseBuilder { ChallengeText = Base64Url.Encode(new byte[32]) };
        AssertFails(Verify(b), "challenge_mismatch");
    }

    [Fact]
    public void Verify_UndecodableChallenge_ReturnsChallengeMismatch()
    {
        using var b = new ResponseBuilder { ChallengeText = "not base64url!" };
        AssertFails(Verify(b), "challenge_mismatch");
    }

    [Fact]
    public void Verify_ForeignOrigin_ReturnsOriginMismatch()
    {
        using var b = new ResponseBuilder { ClientOrigin = "https://evil.example" };
        AssertFails(Verify(b), "origin_mismatch");
    }

    [Fact]
    public void Verify_OriginWithDifferentPort_ReturnsOriginMismatch()
    {
        using var b = new ResponseBuilder { ClientOrigin = "https://example.org:8443" };
        AssertFails(Verify(b), "origin_mismatch");
    }

    [Fact]
    public void Verify_CrossOriginNotAllowed_ReturnsCrossOriginNotAllowed()
    {
        using var b = new ResponseBuilder { CrossOrigin = true };
        AssertFails(Verify(b), "cross_origin_not_allowed");
    }

    [Fact]
    public void Verify_CrossOriginAllowed_Succeeds()
    {
        using var b = new ResponseBuilder { CrossOrigin = true };
        Assert.True(Verify(b, policy: Policy with { AllowCrossOrigin = true }).Succeeded);
    }

    [Fact]
    public void Verify_TopOriginNotListed_ReturnsCrossOriginNotAllowed()
    {
        using var b = new ResponseBuilder { CrossOrigin = true, TopOrigin = "https://framer.example" };
        AssertFails(Verify(b, policy: Policy with { AllowCrossOrigin = true, AllowedTopOrigins = ["https://other.example"] }), "cross_origin_not_allowed");
    }

    [Fact]
    public void Verify_TopOriginListed_Succeeds()
    {
        using var b = new ResponseBuilder { CrossOrigin = true, TopOrigin = "https://framer.example" };
        Assert.True(Verify(b, policy: Policy with { AllowCrossOrigin = true, AllowedTopOrigins = ["https://framer.example"] }).Succeeded);
    }

    [Fact]
    public void Verify_TokenBindingBadStatus_ReturnsTokenBindingInvalid()
    {
        using var b = new ResponseBuilder { TokenBindingJson = "{\"status\":\"not-supported\"}" };
        AssertFails(Verify(b), "token_binding_invalid");
    }

    [Fact]
    public void Verify_TokenBindingLegacyString_Succeeds()
    {
        using var b = new ResponseBuilder { TokenBindingJson = "\"unused\"" };
        Assert.True(Verify(b).Succeeded);
    }

    [Fact]
    public void Verify_DuplicateClientDataMember_ReturnsMalformedClientData()
    {
        using var b = new ResponseBuilder();
        b.RawClientData = "{\"type\":\"webauthn.get\",\"challenge\":\"" + Base64Url.Encode(b.Challenge) + "\",\"origin\":\"https://evil.example\",\"origin\":\"https://example.org\"}";
        AssertFails(Verify(b), "malformed_client_data");
    }

    [Fact]
    public void Verify_ClientDataNotJson_ReturnsMalformedClientData()
    {
        using var b = new ResponseBuilder { RawClientData = "{\"type\":" };
        AssertFails(Verify(b), "malformed_client_data");
    }

    [Fact]
    public void Verify_OtherRpId_ReturnsRpIdMismatch()
    {
        using var b = new ResponseBuilder { AuthRpId = "evil.example" };
        AssertFails(Verify(b), "rp_id_mismatch");
    }

    [Fact]
    public void Verify_UserNotPresent_ReturnsUserPresenceMissing()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserVerified };
        AssertFails(Verify(b), "user_presence_missing");
    }

    [Fact]
    public void Verify_UvRequiredButAbsent_ReturnsUserVerificationMissing()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent };
        AssertFails(Verify(b, Ceremony(b, UserVerificationRequirement.Required)), "user_verification_missing");
    }

    [Fact]
    public void Verify_UvPreferredButAbsent_Succeeds()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent };
        var result = Verify(b, Ceremony(b, UserVerificationRequirement.Preferred));
        Assert.True(result.Succeeded);
        Assert.False(result.Value.UserVerified);
    }

    [Fact]
    public void Verify_BackupStateWithoutEligibility_ReturnsBackupStateInvalid()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupState };
        AssertFails(Verify(b, stored: b.Stored(backupEligible: null)), "backup_state_invalid");
    }

    [Fact]
    public void Verify_BackupEligibilityChanged_ReturnsBackupStateInvalid()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.BackupEligible };
        AssertFails(Verify(b, stored: b.Stored(backupEligible: false)), "backup_state_invalid");
    }

    [Fact]
    public void Verify_TamperedSignature_ReturnsSignatureInvalid()
    {
        using var b = new ResponseBuilder { TamperSignature = true };
        AssertFails(Verify(b), "signature_invalid");
    }

    [Fact]
    public void Verify_SignatureByAnotherKey_ReturnsSignatureInvalid()
    {
        using var b = new ResponseBuilder();
        using var other = new ResponseBuilder();
        AssertFails(Verify(b, stored: b.Stored() with { PublicKey = other.CoseKey() }), "signature_invalid");
    }

    [Fact]
    public void Verify_CounterNotIncreased_ReturnsSignCountRegressed()
    {
        using var b = new ResponseBuilder { SignCount = 5 };
        AssertFails(Verify(b, stored: b.Stored(signCount: 5)), "sign_count_regressed");
    }

    [Fact]
    public void Verify_CounterRegressedUnderAcceptPolicy_FlagsPossibleClone()
    {
        using var b = new ResponseBuilder { SignCount = 3 };
        var result = Verify(b, stored: b.Stored(signCount: 9), policy: Policy with { SignCount = SignCountPolicy.AcceptAndFlag });
        Assert.True(result.Succeeded);
        Assert.True(result.Value.PossibleClone);
        Assert.Equal(9u, result.Value.SignCount);
    }

    [Fact]
    public void Verify_BothCountersZero_Succeeds()
    {
        using var b = new ResponseBuilder { SignCount = 0 };
        var result = Verify(b, stored: b.Stored(signCount: 0));
        Assert.True(result.Succeeded);
        Assert.False(result.Value.PossibleClone);
    }

    [Fact]
    public void Verify_CredentialNotInAllowList_ReturnsCredentialNotAllowed()
    {
        using var b = new ResponseBuilder();
        var ceremony = Ceremony(b) with { AllowCredentials = [new byte[] { 1, 2, 3 }] };
        AssertFails(Verify(b, ceremony), "credential_not_allowed");
    }

    [Fact]
    public void Verify_UserHandleOfAnotherUser_ReturnsUserHandleMismatch()
    {
        using var b = new ResponseBuilder { ResponseUserHandle = [9, 9, 9] };
        AssertFails(Verify(b), "user_handle_mismatch");
    }

    [Fact]
    public void Verify_DiscoverableWithoutUserHandle_ReturnsUserHandleMismatch()
    {
        using var b = new ResponseBuilder();
        AssertFails(Verify(b, Ceremony(b) with { UserIdentified = false }), "user_handle_mismatch");
    }

    [Fact]
    public void Verify_DiscoverableWithOwnUserHandle_Succeeds()
    {
        using var b = new ResponseBuilder();
        b.ResponseUserHandle = b.UserHandle;
        Assert.True(Verify(b, Ceremony(b) with { UserIdentified = false }).Succeeded);
    }

    [Fact]
    public void Verify_ResponseForOtherCredential_ReturnsCredentialIdMismatch()
    {
        using var b = new ResponseBuilder { RawIdOverride = [1, 2, 3, 4] };
        AssertFails(Verify(b), "credential_id_mismatch");
    }

    [Fact]
    public void Verify_TrailingBytesInAuthenticatorData_ReturnsMalformedAuthenticatorData()
    {
        using var b = new ResponseBuilder { TrailingAuthData = [0x00] };
        AssertFails(Verify(b), "malformed_authenticator_data");
    }

    [Fact]
    public void Verify_ExtensionFlagWithoutExtensions_ReturnsExtensionsInvalid()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.ExtensionData };
        AssertFails(Verify(b), "extensions_invalid");
    }

    [Fact]
    public void Verify_AttestedDataInAssertion_ReturnsAttestedCredentialDataInvalid()
    {
        using var b = new ResponseBuilder { AttestedInAssertion = true };
        AssertFails(Verify(b), "attested_credential_data_invalid");
    }

    [Fact]
    public void Verify_AttestedFlagWithoutData_ReturnsMalformedAuthenticatorData()
    {
        using var b = new ResponseBuilder { Flags = AuthenticatorFlags.UserPresent | AuthenticatorFlags.AttestedCredentialData };
        AssertFails(Verify(b), "malformed_authenticator_data");
    }

    [Fact]
    public void Verify_Sha1KeyWithoutDangerousPolicy_ReturnsAlgorithmUnsupported()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var w = new System.Formats.Cbor.CborWriter(System.Formats.Cbor.CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(4);
        w.WriteInt32(1);
        w.WriteInt32(3);
        w.WriteInt32(3);
        w.WriteInt32(-65535);
        w.WriteInt32(-1);
        w.WriteByteString(p.Modulus!);
        w.WriteInt32(-2);
        w.WriteByteString(p.Exponent!);
        w.WriteEndMap();
        using var b = new ResponseBuilder();
        AssertFails(Verify(b, stored: b.Stored() with { PublicKey = w.Encode() }), "algorithm_unsupported");
    }
}
