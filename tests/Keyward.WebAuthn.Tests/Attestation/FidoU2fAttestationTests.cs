using System.Security.Cryptography;
using Keyward.WebAuthn.Attestation;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class FidoU2fAttestationTests
{
    private const string SpecVector = "spec/fido-u2f-es256/registration";

    private readonly FidoU2fAttestation _format = new();

    public static TheoryData<string> PassingVectors => AttestationVectors.Passing("fido-u2f");

    [Theory]
    [MemberData(nameof(PassingVectors))]
    public void Verify_PassingVector_Succeeds(string id)
    {
        var vector = AttestationVectors.Get(id);

        var verdict = AttestationAssert.Succeeds(_format.Verify(vector.Input()));

        Assert.Equal(AttestationType.Basic, verdict.Type);
        Assert.Single(verdict.TrustPath);
        if (vector.TrustAnchorsDer.Length > 0)
        {
            Assert.True(AttestationChain.IsTrusted(verdict.TrustPath, vector.Anchors(), vector.Time));
        }
    }

    [Fact]
    public void FidoU2f_NonZeroAaguid_IsAccepted()
    {
        // Decision: §8.6 does not require a zero AAGUID and the W3C vector has a non-zero one.
        var vector = AttestationVectors.Get(SpecVector);
        var input = vector.Input();
        Assert.Contains(input.Credential.Aaguid, b => b != 0);

        AttestationAssert.Succeeds(_format.Verify(input));
    }

    [Fact]
    public void FidoU2f_TamperedSignature_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.WithFlippedByte("sig"))));
    }

    [Fact]
    public void FidoU2f_TamperedClientDataHash_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement, vector.AuthenticatorData, Flip(vector.ClientDataHash))));
    }

    [Fact]
    public void FidoU2f_TwoCertificates_ReturnsAttestationInvalid()
    {
        // The signature still verifies with x5c[0]; only the "exactly one certificate" rule refuses this.
        var vector = AttestationVectors.Get(SpecVector);
        Assert.True(vector.Statement.TryGet("x5c", out var x5c));
        var leaf = x5c.Items[0].Bytes;

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.With("x5c", X5c(leaf, leaf)))));
    }

    [Fact]
    public void FidoU2f_MissingX5c_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.Without("x5c"))));
    }

    [Fact]
    public void FidoU2f_SynthesizedAttestation_Succeeds()
    {
        using var credential = TestCredential.CreateEc();
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, attestationKey)));
    }

    [Fact]
    public void FidoU2f_P384AttestationCertificate_ReturnsAttestationInvalid()
    {
        // ECDSA/SHA-256 verifies fine with a P-384 key; only the P-256 certificate rule refuses this.
        using var credential = TestCredential.CreateEc();
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, attestationKey)));
    }

    [Fact]
    public void FidoU2f_RsaCredentialKey_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateRsa();
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, attestationKey)));
    }

    private static AttestationInput Synthesize(TestCredential credential, ECDsa attestationKey)
    {
        using var ca = TestCertificates.CreateCa();
        using var certificate = TestCertificates.Issue(ca, attestationKey, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()]);
        var input = credential.Input(Map());
        byte[] point = credential.Ec is { } ec ? [0x04, .. ec.ExportParameters(false).Q.X!, .. ec.ExportParameters(false).Q.Y!] : [0x04];
        byte[] verificationData = [0x00, .. input.AuthenticatorData.RpIdHash, .. credential.ClientDataHash, .. credential.CredentialId, .. point];
        var sig = attestationKey.SignData(verificationData, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return credential.Input(Map(("sig", Bytes(sig)), ("x5c", X5c(certificate.RawData))));
    }
}
