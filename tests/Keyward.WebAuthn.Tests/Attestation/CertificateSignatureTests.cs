using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cose;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// Attestation signatures checked with a certificate's key: each COSE algorithm verifies with its own hash and
/// padding only, a key of the wrong type or a malformed signature is "does not verify" (never an exception), and a
/// certificate's key matches a credential key only when curve and point, modulus and exponent, or the EdDSA key agree.
/// </summary>
public sealed class CertificateSignatureTests
{
    private static readonly byte[] Data = "authenticatorData || clientDataHash"u8.ToArray();

    // RSA key generation is slow; the tests only read these keys.
    private static readonly RSA SharedRsa = RSA.Create(2048);
    private static readonly RSA OtherRsa = RSA.Create(2048);

    public static TheoryData<CoseAlgorithm, string> EcdsaAlgorithms() => new()
    {
        { CoseAlgorithm.ES256, "SHA256" },
        { CoseAlgorithm.ES384, "SHA384" },
        { CoseAlgorithm.ES512, "SHA512" },
    };

    public static TheoryData<CoseAlgorithm, string, bool> RsaAlgorithms() => new()
    {
        { CoseAlgorithm.RS1, "SHA1", false },
        { CoseAlgorithm.RS256, "SHA256", false },
        { CoseAlgorithm.RS384, "SHA384", false },
        { CoseAlgorithm.RS512, "SHA512", false },
        { CoseAlgorithm.PS256, "SHA256", true },
        { CoseAlgorithm.PS384, "SHA384", true },
        { CoseAlgorithm.PS512, "SHA512", true },
    };

    [Theory]
    [MemberData(nameof(EcdsaAlgorithms))]
    public void Verify_Ecdsa_DerSignatureWithTheAlgorithmsHash_True(CoseAlgorithm algorithm, string hash)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);
        var signature = key.SignData(Data, new HashAlgorithmName(hash), DSASignatureFormat.Rfc3279DerSequence);

        Assert.True(CertificateSignature.Verify(certificate, algorithm, Data, signature));
        Assert.False(CertificateSignature.Verify(certificate, algorithm, [.. Data, 0], signature));
    }

    [Theory]
    [MemberData(nameof(EcdsaAlgorithms))]
    public void Verify_Ecdsa_OtherHashOrRawSignature_False(CoseAlgorithm algorithm, string hash)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);
        var other = hash == "SHA256" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, other, DSASignatureFormat.Rfc3279DerSequence)));
        // WebAuthn L3 §6.5.5: attestation signatures are DER, not the raw r ‖ s form.
        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, new HashAlgorithmName(hash), DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
    }

    [Theory]
    [MemberData(nameof(RsaAlgorithms))]
    public void Verify_Rsa_SignatureWithTheAlgorithmsHashAndPadding_True(CoseAlgorithm algorithm, string hash, bool pss)
    {
        var key = SharedRsa;
        using var certificate = SelfSigned(key);
        var padding = pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var signature = key.SignData(Data, new HashAlgorithmName(hash), padding);

        Assert.True(CertificateSignature.Verify(certificate, algorithm, Data, signature));
        Assert.False(CertificateSignature.Verify(certificate, algorithm, [.. Data, 0], signature));
    }

    [Theory]
    [MemberData(nameof(RsaAlgorithms))]
    public void Verify_Rsa_OtherPaddingOrHash_False(CoseAlgorithm algorithm, string hash, bool pss)
    {
        var key = SharedRsa;
        using var certificate = SelfSigned(key);
        var otherPadding = pss ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss;
        var otherHash = hash == "SHA256" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, new HashAlgorithmName(hash), otherPadding)));
        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, otherHash, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)));
    }

    [Theory]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.Ed25519)]
    public void Verify_Ed25519Certificate_True(CoseAlgorithm algorithm)
    {
        var (certificate, signer) = EdDsaCertificate(ed448: false);
        using (certificate)
        {
            var signature = signer(Data);

            Assert.True(CertificateSignature.Verify(certificate, algorithm, Data, signature));
            Assert.False(CertificateSignature.Verify(certificate, algorithm, [.. Data, 0], signature));
            Assert.False(CertificateSignature.Verify(certificate, CoseAlgorithm.Ed448, Data, signature));
        }
    }

    [Theory]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.Ed448)]
    public void Verify_Ed448Certificate_True(CoseAlgorithm algorithm)
    {
        var (certificate, signer) = EdDsaCertificate(ed448: true);
        using (certificate)
        {
            var signature = signer(Data);

            Assert.True(CertificateSignature.Verify(certificate, algorithm, Data, signature));
            Assert.False(CertificateSignature.Verify(certificate, algorithm, [.. Data, 0], signature));
            Assert.False(CertificateSignature.Verify(certificate, CoseAlgorithm.Ed25519, Data, signature));
        }
    }

    [Theory]
    [InlineData(CoseAlgorithm.RS256)]
    [InlineData(CoseAlgorithm.PS256)]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.MLDsa44)]
    [InlineData((CoseAlgorithm)(-1000))]
    public void Verify_EcCertificateUnderAnotherKeyTypeOrUnknownAlgorithm_False(CoseAlgorithm algorithm)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(key);

        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256)]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.Ed25519)]
    public void Verify_RsaCertificateUnderAnotherKeyType_False(CoseAlgorithm algorithm)
    {
        var key = SharedRsa;
        using var certificate = SelfSigned(key);

        Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, key.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256)]
    [InlineData(CoseAlgorithm.RS256)]
    [InlineData(CoseAlgorithm.PS256)]
    [InlineData(CoseAlgorithm.EdDSA)]
    public void Verify_MalformedSignature_FalseWithoutThrowing(CoseAlgorithm algorithm)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rsa = SharedRsa;
        using var ecCertificate = SelfSigned(ec);
        using var rsaCertificate = SelfSigned(rsa);
        var (edCertificate, _) = EdDsaCertificate(ed448: false);
        using (edCertificate)
        {
            foreach (var certificate in new[] { ecCertificate, rsaCertificate, edCertificate })
            {
                Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, []));
                Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, [0x30, 0x03, 0x02, 0x01]));
                Assert.False(CertificateSignature.Verify(certificate, algorithm, Data, new byte[512]));
            }
        }
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256)]
    [InlineData(CoseAlgorithm.ES384)]
    [InlineData(CoseAlgorithm.ES512)]
    [InlineData(CoseAlgorithm.RS256)]
    [InlineData(CoseAlgorithm.RS384)]
    [InlineData(CoseAlgorithm.RS512)]
    [InlineData(CoseAlgorithm.PS256)]
    [InlineData(CoseAlgorithm.PS384)]
    [InlineData(CoseAlgorithm.PS512)]
    [InlineData(CoseAlgorithm.EdDSA)]
    [InlineData(CoseAlgorithm.Ed25519)]
    [InlineData(CoseAlgorithm.Ed448)]
    public void IsSupported_CertificateAlgorithms_True(CoseAlgorithm algorithm)
    {
        Assert.True(CertificateSignature.IsSupported(algorithm, allowSha1: false));
        Assert.True(CertificateSignature.IsSupported(algorithm, allowSha1: true));
    }

    [Fact]
    public void IsSupported_RS1_OnlyWhenSha1IsAllowed()
    {
        Assert.False(CertificateSignature.IsSupported(CoseAlgorithm.RS1, allowSha1: false));
        Assert.True(CertificateSignature.IsSupported(CoseAlgorithm.RS1, allowSha1: true));
    }

    [Theory]
    [InlineData(CoseAlgorithm.MLDsa44)]
    [InlineData(CoseAlgorithm.MLDsa65)]
    [InlineData(CoseAlgorithm.MLDsa87)]
    [InlineData((CoseAlgorithm)0)]
    public void IsSupported_OtherAlgorithms_False(CoseAlgorithm algorithm)
    {
        Assert.False(CertificateSignature.IsSupported(algorithm, allowSha1: false));
        Assert.False(CertificateSignature.IsSupported(algorithm, allowSha1: true));
    }

    [Theory]
    [InlineData("nistP256", "1.2.840.10045.3.1.7")]
    [InlineData("nistP384", "1.3.132.0.34")]
    [InlineData("nistP521", "1.3.132.0.35")]
    public void NamedCurve_EcCertificate_IsItsCurveOid(string curve, string oid)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var certificate = SelfSigned(key);

        Assert.Equal(oid, CertificateSignature.NamedCurve(certificate));
    }

    [Fact]
    public void NamedCurve_RsaOrEdDsaCertificate_Null()
    {
        var key = SharedRsa;
        using var rsa = SelfSigned(key);
        var (ed, _) = EdDsaCertificate(ed448: false);
        using (ed)
        {
            Assert.Null(CertificateSignature.NamedCurve(rsa));
            Assert.Null(CertificateSignature.NamedCurve(ed));
        }
    }

    [Theory]
    [InlineData(CoseCurve.P256, "1.2.840.10045.3.1.7")]
    [InlineData(CoseCurve.P384, "1.3.132.0.34")]
    [InlineData(CoseCurve.P521, "1.3.132.0.35")]
    [InlineData(CoseCurve.Ed25519, null)]
    [InlineData(CoseCurve.None, null)]
    public void CurveOid_EachCurve(CoseCurve curve, string? oid) =>
        Assert.Equal(oid, CertificateSignature.CurveOid(curve));

    [Theory]
    [InlineData("nistP256", CoseAlgorithm.ES256, 1, 32)]
    [InlineData("nistP384", CoseAlgorithm.ES384, 2, 48)]
    [InlineData("nistP521", CoseAlgorithm.ES512, 3, 66)]
    public void PublicKeyMatches_EcSameKey_TrueOtherKey_False(string curve, CoseAlgorithm algorithm, int crv, int size)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var other = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var certificate = SelfSigned(key);

        Assert.True(CertificateSignature.PublicKeyMatches(certificate, Cose(Ec2(key, algorithm, crv, size))));
        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Ec2(other, algorithm, crv, size))));
    }

    [Fact]
    public void PublicKeyMatches_EcKeyOnAnotherCurve_False()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var certificate = SelfSigned(p256);

        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Ec2(p384, CoseAlgorithm.ES384, 2, 48))));
    }

    [Fact]
    public void PublicKeyMatches_EcCertificateAndRsaOrOkpKey_False()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rsa = SharedRsa;
        using var certificate = SelfSigned(ec);
        var (_, ed25519) = Ed25519KeyPair();

        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Rsa(rsa.ExportParameters(false).Modulus!, rsa.ExportParameters(false).Exponent!))));
        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Okp(6, ed25519))));
    }

    [Fact]
    public void PublicKeyMatches_RsaSameKey_TrueOtherModulusOrExponent_False()
    {
        var key = SharedRsa;
        var other = OtherRsa;
        using var certificate = SelfSigned(key);
        var p = key.ExportParameters(false);

        Assert.True(CertificateSignature.PublicKeyMatches(certificate, Cose(Rsa(p.Modulus!, p.Exponent!))));
        // Leading zero bytes are not part of the magnitude (COSE n and e are unsigned big-endian).
        Assert.True(CertificateSignature.PublicKeyMatches(certificate, Cose(Rsa([0x00, .. p.Modulus!], [0x00, .. p.Exponent!]))));
        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Rsa(other.ExportParameters(false).Modulus!, p.Exponent!))));
        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Rsa(p.Modulus!, [0x03]))));
    }

    [Fact]
    public void PublicKeyMatches_RsaCertificateAndEcKey_False()
    {
        var rsa = SharedRsa;
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(rsa);

        Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Ec2(ec, CoseAlgorithm.ES256, 1, 32))));
    }

    [Fact]
    public void PublicKeyMatches_Ed25519SameKey_TrueOtherKeyOrCurve_False()
    {
        var (certificate, _, publicKey) = EdDsaCertificateWithKey(ed448: false);
        using (certificate)
        {
            var (_, other) = Ed25519KeyPair();
            var (ed448Certificate, _, ed448Key) = EdDsaCertificateWithKey(ed448: true);
            using (ed448Certificate)
            {
                Assert.True(CertificateSignature.PublicKeyMatches(certificate, Cose(Okp(6, publicKey))));
                Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Okp(6, other))));
                Assert.False(CertificateSignature.PublicKeyMatches(certificate, Cose(Okp(7, ed448Key))));
                Assert.True(CertificateSignature.PublicKeyMatches(ed448Certificate, Cose(Okp(7, ed448Key))));
                Assert.False(CertificateSignature.PublicKeyMatches(ed448Certificate, Cose(Okp(6, publicKey))));
            }
        }
    }

    [Fact]
    public void TrimLeadingZeros_DropsOnlyLeadingZeros() =>
        Assert.Equal([0x01, 0x00], CertificateSignature.TrimLeadingZeros([0x00, 0x00, 0x01, 0x00]).ToArray());

    private static X509Certificate2 SelfSigned(ECDsa key)
    {
        var request = new CertificateRequest("CN=Keyward Test Attestation", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(TestCertificates.NotBefore, TestCertificates.NotAfter);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static X509Certificate2 SelfSigned(RSA key)
    {
        var request = new CertificateRequest("CN=Keyward Test Attestation", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(TestCertificates.NotBefore, TestCertificates.NotAfter);
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static (X509Certificate2 Certificate, Func<byte[], byte[]> Sign) EdDsaCertificate(bool ed448)
    {
        var (certificate, sign, _) = EdDsaCertificateWithKey(ed448);
        return (certificate, sign);
    }

    // .NET cannot make EdDSA certificates; BouncyCastle (already the EdDSA verifier's library) can.
    private static (X509Certificate2 Certificate, Func<byte[], byte[]> Sign, byte[] PublicKey) EdDsaCertificateWithKey(bool ed448)
    {
        AsymmetricCipherKeyPair pair;
        byte[] publicKey;
        if (ed448)
        {
            var generator = new Ed448KeyPairGenerator();
            generator.Init(new Ed448KeyGenerationParameters(new SecureRandom()));
            pair = generator.GenerateKeyPair();
            publicKey = ((Ed448PublicKeyParameters)pair.Public).GetEncoded();
        }
        else
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            pair = generator.GenerateKeyPair();
            publicKey = ((Ed25519PublicKeyParameters)pair.Public).GetEncoded();
        }

        var certificateGenerator = new X509V3CertificateGenerator();
        certificateGenerator.SetSerialNumber(BigInteger.One);
        certificateGenerator.SetIssuerDN(new X509Name("CN=Keyward Test EdDSA"));
        certificateGenerator.SetSubjectDN(new X509Name("CN=Keyward Test EdDSA"));
        certificateGenerator.SetNotBefore(TestCertificates.NotBefore.UtcDateTime);
        certificateGenerator.SetNotAfter(TestCertificates.NotAfter.UtcDateTime);
        certificateGenerator.SetPublicKey(pair.Public);
        var issued = certificateGenerator.Generate(new Asn1SignatureFactory(ed448 ? "Ed448" : "Ed25519", pair.Private));
        var certificate = X509CertificateLoader.LoadCertificate(issued.GetEncoded());

        byte[] Sign(byte[] data)
        {
            ISigner signer = ed448 ? new Ed448Signer([]) : new Ed25519Signer();
            signer.Init(true, pair.Private);
            signer.BlockUpdate(data, 0, data.Length);
            return signer.GenerateSignature();
        }

        return (certificate, Sign, publicKey);
    }

    private static (AsymmetricCipherKeyPair Pair, byte[] PublicKey) Ed25519KeyPair()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        return (pair, ((Ed25519PublicKeyParameters)pair.Public).GetEncoded());
    }

    private static CosePublicKey Cose(byte[] encoded)
    {
        var key = CosePublicKey.Decode(encoded);
        Assert.True(key.Succeeded, key.Failure?.ToString());
        return key.Value;
    }

    private static byte[] Ec2(ECDsa key, CoseAlgorithm algorithm, int crv, int size)
    {
        var q = key.ExportParameters(false).Q;
        Assert.Equal(size, q.X!.Length);
        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(5);
        w.WriteInt32(1);
        w.WriteInt32(2);
        w.WriteInt32(3);
        w.WriteInt32((int)algorithm);
        w.WriteInt32(-1);
        w.WriteInt32(crv);
        w.WriteInt32(-2);
        w.WriteByteString(q.X);
        w.WriteInt32(-3);
        w.WriteByteString(q.Y!);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] Rsa(byte[] modulus, byte[] exponent)
    {
        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(4);
        w.WriteInt32(1);
        w.WriteInt32(3);
        w.WriteInt32(3);
        w.WriteInt32((int)CoseAlgorithm.RS256);
        w.WriteInt32(-1);
        w.WriteByteString(modulus);
        w.WriteInt32(-2);
        w.WriteByteString(exponent);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] Okp(int crv, byte[] x)
    {
        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(4);
        w.WriteInt32(1);
        w.WriteInt32(1);
        w.WriteInt32(3);
        w.WriteInt32((int)CoseAlgorithm.EdDSA);
        w.WriteInt32(-1);
        w.WriteInt32(crv);
        w.WriteInt32(-2);
        w.WriteByteString(x);
        w.WriteEndMap();
        return w.Encode();
    }
}
