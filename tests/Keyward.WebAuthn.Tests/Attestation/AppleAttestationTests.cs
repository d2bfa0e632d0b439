using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class AppleAttestationTests
{
    private const string SpecVector = "spec/apple-es256/registration";
    private const string Subject = "CN=Keyward Test Credential, O=Keyward, C=AA";

    private readonly AppleAttestation _format = new();

    public static TheoryData<string> PassingVectors => AttestationVectors.Passing("apple");

    [Theory]
    [MemberData(nameof(PassingVectors))]
    public void Verify_PassingVector_Succeeds(string id)
    {
        var vector = AttestationVectors.Get(id);

        var verdict = AttestationAssert.Succeeds(_format.Verify(vector.Input()));

        Assert.Equal(AttestationType.AnonCA, verdict.Type);
        if (vector.TrustAnchorsDer.Length > 0)
        {
            Assert.True(AttestationChain.IsTrusted(verdict.TrustPath, vector.Anchors(), vector.Time));
        }
    }

    [Fact]
    public void Apple_NonceMismatch_ReturnsAttestationInvalid()
    {
        // apple has no signature: only the nonce binds the certificate to this ceremony.
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement, vector.AuthenticatorData, Flip(vector.ClientDataHash))));
    }

    [Fact]
    public void Apple_SynthesizedAttestation_Succeeds()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, credential.Ec!, [NonceExtension(SHA256.HashData(credential.SignedBytes))])));
    }

    [Fact]
    public void Apple_CertificateKeyNotCredentialKey_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, otherKey, [NonceExtension(SHA256.HashData(credential.SignedBytes))])));
    }

    [Fact]
    public void Apple_MissingNonceExtension_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, credential.Ec!, [])));
    }

    [Fact]
    public void Apple_NonceNotExplicitlyTagged_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteOctetString(SHA256.HashData(credential.SignedBytes));
        }

        var extension = new X509Extension("1.2.840.113635.100.8.2", writer.Encode(), false);

        AttestationAssert.Invalid(_format.Verify(Synthesize(credential, credential.Ec!, [extension])));
    }

    [Theory]
    [InlineData("after the sequence")]
    [InlineData("in the sequence")]
    [InlineData("in the tagged nonce")]
    public void Apple_NonceExtensionWithTrailingData_ReturnsAttestationInvalid(string where)
    {
        using var credential = TestCredential.CreateEc();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                writer.WriteOctetString(SHA256.HashData(credential.SignedBytes));
                WriteNullIf(writer, where == "in the tagged nonce");
            }

            WriteNullIf(writer, where == "in the sequence");
        }

        WriteNullIf(writer, where == "after the sequence");
        var extension = new X509Extension("1.2.840.113635.100.8.2", writer.Encode(), false);

        var result = _format.Verify(Synthesize(credential, credential.Ec!, [extension]));

        AttestationAssert.Invalid(result);
        Assert.Contains("malformed", result.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Apple_StatementNotAMapOrWithoutX5c_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();

        AttestationAssert.Invalid(_format.Verify(credential.Input(X5c())));
        AttestationAssert.Invalid(_format.Verify(credential.Input(Map())));
    }

    [Fact]
    public void Apple_Verdict_IsAnonCaWithTheCertificates()
    {
        using var credential = TestCredential.CreateEc();

        var verdict = AttestationAssert.Succeeds(_format.Verify(Synthesize(credential, credential.Ec!, [NonceExtension(SHA256.HashData(credential.SignedBytes))])));

        Assert.Equal(AttestationType.AnonCA, verdict.Type);
        Assert.Equal(Subject, Assert.Single(verdict.TrustPath).Subject);
        Assert.Equal("apple", _format.Format);
    }

    private static void WriteNullIf(AsnWriter writer, bool condition)
    {
        if (condition)
        {
            writer.WriteNull();
        }
    }

    private static AttestationInput Synthesize(TestCredential credential, ECDsa certificateKey, X509Extension[] extensions)
    {
        using var ca = TestCertificates.CreateCa();
        using var certificate = TestCertificates.Issue(ca, certificateKey, Subject, [TestCertificates.LeafConstraints(), .. extensions]);
        return credential.Input(Map(("x5c", X5c(certificate.RawData))));
    }

    private static X509Extension NonceExtension(byte[] nonce)
    {
        // SEQUENCE { [1] EXPLICIT OCTET STRING nonce }
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                writer.WriteOctetString(nonce);
            }
        }

        return new X509Extension("1.2.840.113635.100.8.2", writer.Encode(), false);
    }
}
