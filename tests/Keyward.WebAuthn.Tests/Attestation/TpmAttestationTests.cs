using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Attestation;

public sealed class TpmAttestationTests
{
    private const string SpecVector = "spec/tpm-es256/registration";

    private readonly TpmAttestation _format = new();

    public static TheoryData<string> PassingVectors => AttestationVectors.Passing("tpm");

    [Theory]
    [MemberData(nameof(PassingVectors))]
    public void Verify_PassingVector_Succeeds(string id)
    {
        var vector = AttestationVectors.Get(id);

        var verdict = AttestationAssert.Succeeds(_format.Verify(vector.Input()));

        Assert.Equal(AttestationType.AttCA, verdict.Type);
        if (vector.TrustAnchorsDer.Length > 0)
        {
            Assert.True(AttestationChain.IsTrusted(verdict.TrustPath, vector.Anchors(), vector.Time));
        }
    }

    [Fact]
    public void Tpm_TamperedSignature_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement.WithFlippedByte("sig"))));
    }

    [Fact]
    public void Tpm_TamperedClientDataHash_ReturnsAttestationInvalid()
    {
        var vector = AttestationVectors.Get(SpecVector);

        AttestationAssert.Invalid(_format.Verify(vector.Input(vector.Statement, vector.AuthenticatorData, Statements.Flip(vector.ClientDataHash))));
    }

    [Theory]
    [InlineData("certInfo")]
    [InlineData("pubArea")]
    public void Tpm_AnyByteFlipped_FailsWithoutException(string field)
    {
        var vector = AttestationVectors.Get(SpecVector);
        Assert.True(vector.Statement.TryGetBytes(field, out var bytes));

        for (var i = 0; i < bytes.Length; i++)
        {
            var result = _format.Verify(vector.Input(vector.Statement.WithFlippedByte(field, i)));
            Assert.False(result.Succeeded, $"{field} byte {i} flipped still verified");
        }
    }

    [Fact]
    public void Tpm_SynthesizedEcc_Succeeds()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);

        var verdict = AttestationAssert.Succeeds(_format.Verify(credential.Input(tpm.Build())));

        Assert.Equal(AttestationType.AttCA, verdict.Type);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(65537u)]
    public void Tpm_SynthesizedRsa_Succeeds(uint exponent)
    {
        // TPM 2.0 Part 2 §12.2.3.5: an exponent of 0 in pubArea means 65537.
        using var credential = TestCredential.CreateRsa();
        using var tpm = new TpmStatementBuilder(credential) { RsaExponent = exponent };

        AttestationAssert.Succeeds(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_RsaExponentMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateRsa();
        using var tpm = new TpmStatementBuilder(credential) { RsaExponent = 3 };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_PubAreaMismatch_ReturnsAttestationInvalid()
    {
        // pubArea describes another key, and certInfo (Name, signature) is consistent with it: only the comparison
        // of pubArea with the credential public key refuses this.
        using var credential = TestCredential.CreateEc();
        using var other = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { PubArea = TpmStatementBuilder.PublicArea(other) };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_PubAreaKeyTypeMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var other = TestCredential.CreateRsa();
        using var tpm = new TpmStatementBuilder(credential) { PubArea = TpmStatementBuilder.PublicArea(other) };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_ExtraDataMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { ExtraData = SHA256.HashData(Statements.Flip(credential.SignedBytes)) };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_NameMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { Name = [0x00, 0x0B, .. RandomNumberGenerator.GetBytes(32)] };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_UnsupportedNameAlg_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { NameAlg = 0x0012 }; // TPM_ALG_SM3_256

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_WrongMagic_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { Magic = 0xff544348 };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_WrongType_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { Type = 0x8018 }; // TPM_ST_ATTEST_QUOTE

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_WrongVersion_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { Ver = "1.2" };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_TruncatedCertInfo_ReturnsAttestationInvalidAtEveryLength()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        Assert.True(tpm.Build().TryGetBytes("certInfo", out var full));

        for (var length = 0; length < full.Length; length++)
        {
            var cut = length;
            tpm.EditCertInfo = c => c[..cut];
            AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
        }
    }

    [Fact]
    public void Tpm_CertInfoTrailingBytes_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { EditCertInfo = c => [.. c, 0x00] };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_CertInfoOversizedLength_ReturnsAttestationInvalid()
    {
        // qualifiedSigner claims 0xFFFF bytes.
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { EditCertInfo = c => [.. c[..6], 0xFF, 0xFF, .. c[8..]] };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_TruncatedPubArea_ReturnsAttestationInvalidAtEveryLength()
    {
        using var credential = TestCredential.CreateEc();
        var full = TpmStatementBuilder.PublicArea(credential);
        using var tpm = new TpmStatementBuilder(credential);

        for (var length = 0; length < full.Length; length++)
        {
            tpm.PubArea = full[..length];
            AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
        }
    }

    [Fact]
    public void Tpm_AikWithSubject_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential) { AikSubject = new X500DistinguishedName("CN=Keyward AIK") };

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AikWithoutAikUsage_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        tpm.AikExtensions.RemoveAll(e => e.Oid?.Value == "2.5.29.37");
        tpm.AikExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AikSanNotCritical_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        ReplaceSan(tpm, TpmStatementBuilder.TpmSubjectAltName("id:FFFFF1D0", "Keyward soft TPM", "id:00000001", critical: false));

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Theory]
    [InlineData(null, "model", "id:1")]
    [InlineData("FFFFF1D0", "model", "id:1")]
    [InlineData("id:FFFFF1D", "model", "id:1")]
    [InlineData("id:FFFFF1DZ", "model", "id:1")]
    [InlineData("id:FFFFF1D0", null, "id:1")]
    [InlineData("id:FFFFF1D0", "model", null)]
    public void Tpm_AikSanIncomplete_ReturnsAttestationInvalid(string? manufacturer, string? model, string? version)
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        ReplaceSan(tpm, TpmStatementBuilder.TpmSubjectAltName(manufacturer, model, version));

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AikZeroManufacturer_Succeeds()
    {
        // Decision: any vendor id is accepted (the W3C vector uses id:00000000); trust is the chain's business.
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        ReplaceSan(tpm, TpmStatementBuilder.TpmSubjectAltName("id:00000000", "model", "id:1"));

        AttestationAssert.Succeeds(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AikIsCa_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        tpm.AikExtensions.RemoveAll(e => e.Oid?.Value == "2.5.29.19");
        tpm.AikExtensions.Add(TestCertificates.CaConstraints());

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AaguidExtensionMismatch_ReturnsAttestationInvalid()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        tpm.AikExtensions.Add(TestCertificates.Aaguid(Convert.FromHexString("ffeeddccbbaa99887766554433221100")));

        AttestationAssert.Invalid(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_AaguidExtensionMatch_Succeeds()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        tpm.AikExtensions.Add(TestCertificates.Aaguid(credential.Aaguid));

        AttestationAssert.Succeeds(_format.Verify(credential.Input(tpm.Build())));
    }

    [Fact]
    public void Tpm_EdDsaAlg_ReturnsAlgorithmUnsupported()
    {
        using var credential = TestCredential.CreateEc();
        using var tpm = new TpmStatementBuilder(credential);
        CborValue statement = tpm.Build().With("alg", Statements.Integer(-8));

        AttestationAssert.Fails(WebAuthnErrorCode.AlgorithmUnsupported, _format.Verify(credential.Input(statement)));
    }

    private static void ReplaceSan(TpmStatementBuilder tpm, X509Extension san)
    {
        tpm.AikExtensions.RemoveAll(e => e.Oid?.Value == "2.5.29.17");
        tpm.AikExtensions.Add(san);
    }
}
