using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using static Keyward.WebAuthn.Tests.Attestation.Statements;
using BigInteger = Org.BouncyCastle.Math.BigInteger;
using X509Name = Org.BouncyCastle.Asn1.X509.X509Name;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// What the attestation formats share: attStmt.alg is an algorithm a certificate can check, attStmt.x5c is a
/// non-empty array of at most eight DER certificates without duplicate extensions, and an attestation certificate
/// is version 3, not a CA, and carries the authenticator's AAGUID when it has the FIDO AAGUID extension.
/// </summary>
public sealed class AttestationCertificatesTests
{
    private static readonly byte[] Aaguid = TestCredential.DefaultAaguid;

    [Theory]
    [InlineData(-7, CoseAlgorithm.ES256)]
    [InlineData(-257, CoseAlgorithm.RS256)]
    [InlineData(-8, CoseAlgorithm.EdDSA)]
    public void ReadAlgorithm_SupportedAlgorithm_IsRead(long alg, CoseAlgorithm expected) =>
        Assert.Equal(expected, AttestationCertificates.ReadAlgorithm(Map(("alg", Integer(alg))), allowSha1: false).Value);

    [Fact]
    public void ReadAlgorithm_MissingOrNotAnInteger_ReturnsAttestationInvalid()
    {
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.ReadAlgorithm(Map(), allowSha1: false).Failure!.Error);
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.ReadAlgorithm(Map(("alg", Text("ES256"))), allowSha1: false).Failure!.Error);
    }

    [Theory]
    [InlineData(-1000)]                       // not a COSE algorithm this library knows
    [InlineData(-48)]                         // ML-DSA-44: a credential algorithm, never an attestation one
    [InlineData((long)int.MinValue - 7)]      // outside int: must not wrap around to ES256
    [InlineData((long)int.MaxValue + 1)]
    [InlineData(4294967289)]                  // 2^32 - 7: truncates to -7 (ES256)
    public void ReadAlgorithm_UnsupportedAlgorithm_ReturnsAlgorithmUnsupported(long alg) =>
        Assert.Equal(WebAuthnErrorCode.AlgorithmUnsupported, AttestationCertificates.ReadAlgorithm(Map(("alg", Integer(alg))), allowSha1: true).Failure!.Error);

    [Fact]
    public void ReadAlgorithm_RS1_OnlyWhenSha1IsAllowed()
    {
        var statement = Map(("alg", Integer(-65535)));

        Assert.Equal(WebAuthnErrorCode.AlgorithmUnsupported, AttestationCertificates.ReadAlgorithm(statement, allowSha1: false).Failure!.Error);
        Assert.Equal(CoseAlgorithm.RS1, AttestationCertificates.ReadAlgorithm(statement, allowSha1: true).Value);
    }

    [Fact]
    public void ReadX5c_OneToEightCertificates_AreReadLeafFirst()
    {
        using var root = TestCertificates.CreateCa();
        var certificates = Enumerable.Range(0, AttestationCertificates.MaxCertificates).Select(i => Leaf(root, $"CN=Leaf {i}").RawData).ToArray();

        var one = AttestationCertificates.ReadX5c(Map(("x5c", X5c(certificates[0])))).Value;
        var eight = AttestationCertificates.ReadX5c(Map(("x5c", X5c(certificates)))).Value;

        Assert.Equal(certificates[0], Assert.Single(one).RawData);
        Assert.Equal(certificates, eight.Select(c => c.RawData));
        AttestationCertificates.Dispose([.. one, .. eight]);
    }

    [Fact]
    public void ReadX5c_NineCertificates_ReturnsAttestationInvalid()
    {
        using var root = TestCertificates.CreateCa();
        var leaf = Leaf(root, "CN=Leaf").RawData;

        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c([.. Enumerable.Repeat(leaf, AttestationCertificates.MaxCertificates + 1)])))));
    }

    [Fact]
    public void ReadX5c_MissingEmptyOrNotAnArray_ReturnsAttestationInvalid()
    {
        using var root = TestCertificates.CreateCa();

        AssertInvalid(AttestationCertificates.ReadX5c(Map()));
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c()))));
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", Bytes(Leaf(root, "CN=Leaf").RawData)))));
    }

    [Fact]
    public void ReadX5c_AnItemThatIsNotADerCertificate_ReturnsAttestationInvalid()
    {
        using var root = TestCertificates.CreateCa();
        var leaf = Leaf(root, "CN=Leaf").RawData;
        var pem = System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", leaf));

        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c(leaf, [])))));
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c(leaf, pem)))));
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c(leaf, [0x30, 0x03, 0x02, 0x01, 0x01])))));
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", CborValue.FromArray([Bytes(leaf), Text("certificate")])))));
    }

    [Fact]
    public void ReadX5c_CertificateWithADuplicateExtension_ReturnsAttestationInvalid()
    {
        // Two extensions with OIDs 1.2.3.4 and 1.2.3.5, then the second OID patched into the first: RFC 5280 §4.2
        // forbids the duplicate, which could make a lookup by OID see another value than another verifier does.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Duplicate", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension("1.2.3.4", [0x05, 0x00], false));
        request.CertificateExtensions.Add(new X509Extension("1.2.3.5", [0x05, 0x00], false));
        using var distinct = request.CreateSelfSigned(TestCertificates.NotBefore, TestCertificates.NotAfter);
        var der = distinct.RawData;
        var at = der.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x06, 0x03, 0x2A, 0x03, 0x05]);
        Assert.True(at > 0);
        der[at + 4] = 0x04;

        var accepted = AttestationCertificates.ReadX5c(Map(("x5c", X5c(distinct.RawData))));
        Assert.True(accepted.Succeeded);
        AttestationCertificates.Dispose(accepted.Value);
        AssertInvalid(AttestationCertificates.ReadX5c(Map(("x5c", X5c(der)))));
    }

    [Fact]
    public void RequireVersion3_Version3_NullVersion1_Failure()
    {
        using var root = TestCertificates.CreateCa();
        using var v3 = Leaf(root, "CN=Leaf");
        using var v1 = Version1Certificate();

        Assert.Equal(3, v3.Version);
        Assert.Null(AttestationCertificates.RequireVersion3(v3));
        Assert.Equal(1, v1.Version);
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.RequireVersion3(v1)?.Error);
    }

    [Fact]
    public void RequireNotCa_NoBasicConstraintsOrCaFalse_Null()
    {
        using var root = TestCertificates.CreateCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var none = TestCertificates.Issue(root, key, "CN=Leaf", []);
        using var leaf = TestCertificates.Issue(root, key, "CN=Leaf", [TestCertificates.LeafConstraints()]);
        using var pathLengthOnly = TestCertificates.Issue(root, key, "CN=Leaf", [new X509Extension("2.5.29.19", [0x30, 0x03, 0x02, 0x01, 0x00], true)]);

        Assert.Null(AttestationCertificates.RequireNotCa(none));
        Assert.Null(AttestationCertificates.RequireNotCa(leaf));
        Assert.Null(AttestationCertificates.RequireNotCa(pathLengthOnly));
    }

    [Fact]
    public void RequireNotCa_CaTrueOrMalformed_Failure()
    {
        using var root = TestCertificates.CreateCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = TestCertificates.Issue(root, key, "CN=Leaf", [TestCertificates.CaConstraints()]);
        using var malformed = TestCertificates.Issue(root, key, "CN=Leaf", [new X509Extension("2.5.29.19", [0x04, 0x00], true)]);

        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.RequireNotCa(ca)?.Error);
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.RequireNotCa(malformed)?.Error);
    }

    [Fact]
    public void CheckAaguidExtension_AbsentOrMatching_Null()
    {
        using var root = TestCertificates.CreateCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var none = TestCertificates.Issue(root, key, "CN=Leaf", []);
        using var matching = TestCertificates.Issue(root, key, "CN=Leaf", [TestCertificates.Aaguid(Aaguid)]);

        Assert.Null(AttestationCertificates.CheckAaguidExtension(none, Aaguid));
        Assert.Null(AttestationCertificates.CheckAaguidExtension(matching, Aaguid));
    }

    [Fact]
    public void CheckAaguidExtension_WrongValueLengthOrEncoding_Failure()
    {
        using var root = TestCertificates.CreateCa();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var other = (byte[])Aaguid.Clone();
        other[15] ^= 1;
        var octets = new AsnWriter(AsnEncodingRules.DER);
        octets.WriteOctetString(Aaguid);
        byte[] trailing = [.. octets.Encode(), 0x00];
        var integer = new AsnWriter(AsnEncodingRules.DER);
        integer.WriteInteger(1);

        foreach (var extension in new[]
        {
            TestCertificates.Aaguid(other),
            TestCertificates.Aaguid(Aaguid[..15]),
            TestCertificates.Aaguid([.. Aaguid, 0x00]),
            new X509Extension(AttestationCertificates.AaguidExtensionOid, trailing, false),
            new X509Extension(AttestationCertificates.AaguidExtensionOid, integer.Encode(), false),
        })
        {
            using var certificate = TestCertificates.Issue(root, key, "CN=Leaf", [extension]);
            Assert.Equal(WebAuthnErrorCode.AttestationInvalid, AttestationCertificates.CheckAaguidExtension(certificate, Aaguid)?.Error);
        }
    }

    [Fact]
    public void RequireEnd_DataLeft_Throws()
    {
        var reader = new AsnReader(new byte[] { 0x05, 0x00, 0x05, 0x00 }, AsnEncodingRules.DER);
        reader.ReadNull();

        Assert.Throws<AsnContentException>(reader.RequireEnd);
        reader.ReadNull();
        reader.RequireEnd();
    }

    [Fact]
    public void Invalid_IsAttestationInvalidWithTheDetail()
    {
        var failure = AttestationCertificates.Invalid("why");

        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, failure.Error);
        Assert.Equal("why", failure.Detail);
    }

    private static void AssertInvalid(WebAuthnResult<X509Certificate2[]> result)
    {
        Assert.False(result.Succeeded, "x5c was read although it should not have been");
        Assert.Equal(WebAuthnErrorCode.AttestationInvalid, result.Failure.Error);
    }

    private static X509Certificate2 Leaf(X509Certificate2 root, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return TestCertificates.Issue(root, key, subject, [TestCertificates.LeafConstraints()]);
    }

    // .NET only makes version 3 certificates; BouncyCastle still makes version 1.
    private static X509Certificate2 Version1Certificate()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.X9.X9ObjectIdentifiers.Prime256v1, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var v1 = new X509V1CertificateGenerator();
        v1.SetSerialNumber(BigInteger.One);
        v1.SetIssuerDN(new X509Name("CN=Version 1"));
        v1.SetSubjectDN(new X509Name("CN=Version 1"));
        v1.SetNotBefore(TestCertificates.NotBefore.UtcDateTime);
        v1.SetNotAfter(TestCertificates.NotAfter.UtcDateTime);
        v1.SetPublicKey(pair.Public);
        return X509CertificateLoader.LoadCertificate(v1.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private)).GetEncoded());
    }
}
