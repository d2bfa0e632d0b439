using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Tests.Attestation;
using static Keyward.WebAuthn.Tests.Verification.Relying;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// Attestation trust on the registration path (§7.1 steps 23–24): the chain is checked at the ceremony's
/// VerificationTime when it gives one, otherwise at the relying party's clock, and RequireTrusted refuses what does
/// not chain while Report only reports it.
/// </summary>
public sealed class RegistrationTrustTests
{
    // The leaf is valid in 2024 only; the relying party's clock (Relying.Create) says 2026-11-23.
    private static readonly DateTimeOffset LeafNotAfter = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset During = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void VerifyRegistration_VerificationTimeWithinTheLeafsValidity_IsTrusted()
    {
        using var ca = TestCertificates.CreateCa();
        using var b = Packed(ca);

        var result = Create(Trusting(ca)).VerifyRegistration(b.Registration(), Registration(b) with { VerificationTime = During });

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.True(result.Value.AttestationTrusted);
        Assert.Equal("packed", result.Value.Format);
        Assert.Single(result.Value.TrustPath);
    }

    [Fact]
    public void VerifyRegistration_NoVerificationTime_ChecksAtTheClock()
    {
        using var ca = TestCertificates.CreateCa();
        using var b = Packed(ca);

        AssertFails(Create(Trusting(ca)).VerifyRegistration(b.Registration(), Registration(b)), "attestation_untrusted");
    }

    [Fact]
    public void VerifyRegistration_ReportPolicy_PassesAndReportsUntrusted()
    {
        using var ca = TestCertificates.CreateCa();
        using var b = Packed(ca);

        var result = Create(Trusting(ca) with { AttestationTrust = AttestationTrustPolicy.Report }).VerifyRegistration(b.Registration(), Registration(b));

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.False(result.Value.AttestationTrusted);
    }

    [Fact]
    public void VerifyRegistration_OtherAnchor_IsUntrusted()
    {
        using var ca = TestCertificates.CreateCa();
        using var other = TestCertificates.CreateCa("CN=Other CA");
        using var b = Packed(ca);

        AssertFails(Create(Trusting(other)).VerifyRegistration(b.Registration(), Registration(b) with { VerificationTime = During }), "attestation_untrusted");
    }

    private static RelyingPartyPolicy Trusting(X509Certificate2 anchor) =>
        Policy with { TrustAnchors = [anchor], AttestationTrust = AttestationTrustPolicy.RequireTrusted };

    // A packed full attestation by a leaf the CA issued, valid in 2024 only.
    private static ResponseBuilder Packed(X509Certificate2 ca)
    {
        var b = new ResponseBuilder { Type = "webauthn.create" };
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestCertificates.Issue(ca, attestationKey, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()], notAfter: LeafNotAfter);
        var authData = b.AuthenticatorData(attested: true);
        var sig = attestationKey.SignData([.. authData, .. SHA256.HashData(b.ClientDataJson())], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var w = new CborWriter();
        w.WriteStartMap(3);
        w.WriteTextString("fmt");
        w.WriteTextString("packed");
        w.WriteTextString("attStmt");
        w.WriteStartMap(3);
        w.WriteTextString("alg");
        w.WriteInt32(-7);
        w.WriteTextString("sig");
        w.WriteByteString(sig);
        w.WriteTextString("x5c");
        w.WriteStartArray(1);
        w.WriteByteString(leaf.RawData);
        w.WriteEndArray();
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteByteString(authData);
        w.WriteEndMap();
        b.AttestationObjectOverride = w.Encode();
        return b;
    }
}
