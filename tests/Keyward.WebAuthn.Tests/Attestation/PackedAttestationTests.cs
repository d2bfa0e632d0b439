using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class PackedAttestationTests
{
    private const string FullVector = "spec/packed-es256/registration";
    private const string SelfVector = "spec/packed-self-es256/registration";

    private readonly PackedAttestation _format = new();

    public static TheoryData<string> PassingVectors => AttestationVectors.Passing("packed");

    [Theory]
    [MemberData(nameof(PassingVectors))]
    public void Verify_PassingVector_Succeeds(string id)
    {
        var vector = AttestationVectors.Get(id);
        var result = _format.Verify(vector.Input());

        Assert.True(result.Succeeded, result.Failure?.ToString());
        if (vector.Statement.TryGet("x5c", out _))
        {
            Assert.Equal(AttestationType.Basic, result.Value.Type);
            Assert.NotEmpty(result.Value.TrustPath);
            if (vector.TrustAnchorsDer.Length > 0)
            {
                Assert.True(AttestationChain.IsTrusted(result.Value.TrustPath, vector.Anchors(), vector.Time));
            }
        }
        else
        {
            Assert.Equal(AttestationType.Self, result.Value.Type);
            Assert.Empty(result.Value.TrustPath);
        }
    }

    [Fact]
    public void Packed_TamperedSignature_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(FullVector);

        var result = _format.Verify(vector.Input(vector.Statement.WithFlippedByte("sig")));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_TamperedClientDataHash_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(FullVector);

        var result = _format.Verify(vector.Input(vector.Statement, vector.AuthenticatorData, Flip(vector.ClientDataHash)));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_SelfTamperedSignature_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SelfVector);

        var result = _format.Verify(vector.Input(vector.Statement.WithFlippedByte("sig")));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_SelfAlgMismatch_ReturnsAttestationInvalid()
    {
        // The credential key is ES256; the signature still verifies with it, so only the alg check refuses this.
        var vector = AttestationVectors.Get(SelfVector);

        var result = _format.Verify(vector.Input(vector.Statement.With("alg", Integer(-35))));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_EcdaaKeyId_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(FullVector);

        var result = _format.Verify(vector.Input(vector.Statement.With("ecdaaKeyId", Bytes([1, 2, 3]))));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_UnknownAlg_ReturnsAlgorithmUnsupported()
    {
        var vector = AttestationVectors.Get(FullVector);

        var result = _format.Verify(vector.Input(vector.Statement.With("alg", Integer(-65535))));

        Assert.False(result.Succeeded);
        Assert.Equal(WebAuthnErrorCode.AlgorithmUnsupported, result.Failure.Error);
    }

    [Fact]
    public void Packed_X5cNotACertificate_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(FullVector);

        var result = _format.Verify(vector.Input(vector.Statement.With("x5c", X5c([0x30, 0x03, 0x02, 0x01, 0x01]))));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_MissingSig_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(FullVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.Without("sig"))));
    }

    [Fact]
    public void Packed_SynthesizedFullAttestation_Succeeds()
    {
        // The control for the synthetic negative tests below: the same builder, nothing wrong.
        using var credential = TestCredential.CreateEc();

        var result = Synthesize(credential, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints(), TestCertificates.Aaguid(credential.Aaguid)]);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(AttestationType.Basic, result.Value.Type);
    }

    [Theory]
    [InlineData(-257)]
    [InlineData(-37)]
    public void Packed_RsaAttestationCertificate_Succeeds(int alg)
    {
        using var credential = TestCredential.CreateEc();
        using var ca = TestCertificates.CreateCa();
        using var attestationKey = RSA.Create(2048);
        using var leaf = TestCertificates.Issue(ca, attestationKey, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()]);
        var padding = alg == -37 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var sig = attestationKey.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, padding);

        var statement = Map(("alg", Integer(alg)), ("sig", Bytes(sig)), ("x5c", X5c(leaf.RawData)));

        AttestationAssert.Succeeds(_format.Verify(credential.Input(statement)));
        AttestationAssert.Invalid(_format.Verify(credential.Input(statement.With("alg", Integer(alg == -37 ? -257 : -37)))));
    }

    [Fact]
    public void Packed_NoBasicConstraints_Succeeds()
    {
        // RFC 5280 default: absent basic constraints mean cA=false.
        using var credential = TestCredential.CreateEc();

        var result = Synthesize(credential, TestCertificates.PackedSubject, []);

        Assert.True(result.Succeeded, result.Failure?.ToString());
    }

    [Fact]
    public void Packed_AaguidExtensionMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        var other = Convert.FromHexString("ffeeddccbbaa99887766554433221100");

        AttestationAssert.Invalid(Synthesize(credential, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints(), TestCertificates.Aaguid(other)]));
    }

    [Fact]
    public void Packed_AaguidExtensionCritical_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(Synthesize(credential, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints(), TestCertificates.Aaguid(credential.Aaguid, critical: true)]));
    }

    [Fact]
    public void Packed_CaCertificate_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(Synthesize(credential, TestCertificates.PackedSubject, [TestCertificates.CaConstraints()]));
    }

    [Theory]
    [InlineData("CN=Keyward Test Authenticator, OU=Engineering, O=Keyward, C=AA")]
    [InlineData("CN=Keyward Test Authenticator, O=Keyward, C=AA")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, C=AA")]
    [InlineData("OU=Authenticator Attestation, O=Keyward, C=AA")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward, C=AAA")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward, C=A")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward, C=A1")]
    [InlineData("CN=Keyward Test Authenticator, OU=Authenticator Attestation, O=Keyward, C=1A")]
    [InlineData("CN=Keyward Test Authenticator, OU=authenticator attestation, O=Keyward, C=AA")]
    [InlineData("CN=Keyward Test Authenticator+OU=Authenticator Attestation, O=Keyward, C=AA")]
    public void Packed_SubjectRequirementMissing_ReturnsAttestationInvalid(string subject)
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(Synthesize(credential, subject, [TestCertificates.LeafConstraints()]));
    }

    [Fact]
    public void Packed_AttestationAndCertificateKeyDiffer_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var ca = TestCertificates.CreateCa();
        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestCertificates.Issue(ca, certificateKey, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()]);

        var sig = signingKey.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var result = _format.Verify(credential.Input(Map(("alg", Integer(-7)), ("sig", Bytes(sig)), ("x5c", X5c(leaf.RawData)))));

        AttestationAssert.Invalid(result);
    }

    [Fact]
    public void Packed_SubjectWithAnExtraMultiValuedRdn_Succeeds()
    {
        // Multi-valued RDNs are skipped: the four required attributes are read from single-valued ones.
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Succeeds(Synthesize(credential, TestCertificates.PackedSubject + ", L=Here+ST=There", [TestCertificates.LeafConstraints()]));
    }

    [Fact]
    public void Packed_StatementNotAMap_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(credential.Input(X5c())));
    }

    [Fact]
    public void Packed_FullAttestationWithoutAlg_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var ca = TestCertificates.CreateCa();
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestCertificates.Issue(ca, attestationKey, TestCertificates.PackedSubject, [TestCertificates.LeafConstraints()]);
        var sig = attestationKey.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        AttestationAssert.Invalid(_format.Verify(credential.Input(Map(("sig", Bytes(sig)), ("x5c", X5c(leaf.RawData))))));
        AttestationAssert.Invalid(_format.Verify(credential.Input(Map(("alg", Integer(-7)), ("sig", Bytes(sig)), ("x5c", X5c())))));
    }

    [Fact]
    public void Packed_SelfAttestationWithoutAlg_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        var sig = credential.Ec!.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        AttestationAssert.Succeeds(_format.Verify(credential.Input(Map(("alg", Integer(-7)), ("sig", Bytes(sig))))));
        AttestationAssert.Invalid(_format.Verify(credential.Input(Map(("sig", Bytes(sig))))));
    }

    [Fact]
    public void Packed_Format_IsPacked() => Assert.Equal("packed", _format.Format);

    private WebAuthnResult<AttestationVerdict> Synthesize(TestCredential credential, string subject, X509Extension[] extensions)
    {
        using var ca = TestCertificates.CreateCa();
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestCertificates.Issue(ca, attestationKey, subject, extensions);
        var sig = attestationKey.SignData(credential.SignedBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        CborValue statement = Map(("alg", Integer(-7)), ("sig", Bytes(sig)), ("x5c", X5c(leaf.RawData)));
        return _format.Verify(credential.Input(statement));
    }
}
