using System.Formats.Cbor;
using System.Security.Cryptography;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// COSE_Key decoding (RFC 9052 §7, RFC 9053): each key type accepts only its own algorithms, each algorithm only its
/// curve and coordinate sizes, RSA keys only an odd modulus of at least 2048 bits, and ML-DSA keys only the public
/// key length of their parameter set. An unknown algorithm or key type is algorithm_unsupported; a malformed key
/// public_key_invalid.
/// </summary>
public sealed class CosePublicKeyTests
{
    private static readonly RSA Rsa2048 = RSA.Create(2048);

    [Theory]
    [InlineData("nistP256", -7, 1, CoseCurve.P256)]
    [InlineData("nistP384", -35, 2, CoseCurve.P384)]
    [InlineData("nistP521", -36, 3, CoseCurve.P521)]
    public void Decode_Ec2OnItsCurve_Succeeds(string curve, int alg, int crv, CoseCurve expected)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var q = key.ExportParameters(false).Q;

        var decoded = Decode((1, 2), (3, alg), (-1, crv), (-2, q.X!), (-3, q.Y!));

        Assert.True(decoded.Succeeded, decoded.Failure?.ToString());
        Assert.Equal(CoseKeyType.Ec2, decoded.Value.KeyType);
        Assert.Equal((CoseAlgorithm)alg, decoded.Value.Algorithm);
        Assert.Equal(expected, decoded.Value.Curve);
        Assert.Equal(q.X, decoded.Value.Material.X);
        Assert.Equal(q.Y, decoded.Value.Material.Y);
    }

    [Theory]
    [InlineData(-7, 2)]     // ES256 on P-384
    [InlineData(-35, 1)]    // ES384 on P-256
    [InlineData(-36, 2)]    // ES512 on P-384
    [InlineData(-7, 6)]     // ES256 on Ed25519
    public void Decode_Ec2OnAnotherCurve_ReturnsPublicKeyInvalid(int alg, int crv)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;

        AssertInvalid(Decode((1, 2), (3, alg), (-1, crv), (-2, q.X!), (-3, q.Y!)));
    }

    [Fact]
    public void Decode_Ec2WithWrongCoordinates_ReturnsPublicKeyInvalid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;

        AssertInvalid(Decode((1, 2), (3, -7), (-2, q.X!), (-3, q.Y!)));                              // no crv
        AssertInvalid(Decode((1, 2), (3, -7), (-1, 1), (-2, q.X![1..]), (-3, q.Y!)));               // 31-byte x
        AssertInvalid(Decode((1, 2), (3, -7), (-1, 1), (-2, q.X!), (-3, (byte[])[.. q.Y!, 0])));    // 33-byte y
        AssertInvalid(Decode((1, 2), (3, -7), (-1, 1), (-2, q.X!), (-3, true)));                     // compressed point
        AssertInvalid(Decode((1, 2), (3, -7), (-1, 1), (-3, q.Y!)));                                 // no x
        AssertInvalid(Decode((1, 2), (3, -7), (-1, 1), (-2, q.X!), (-3, q.X!)));                     // not on the curve
    }

    [Theory]
    [InlineData(-257)]
    [InlineData(-8)]
    [InlineData(-48)]
    public void Decode_Ec2WithANonEcAlgorithm_ReturnsPublicKeyInvalid(int alg)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;

        AssertInvalid(Decode((1, 2), (3, alg), (-1, 1), (-2, q.X!), (-3, q.Y!)));
    }

    [Theory]
    [InlineData(-8, 6, 32)]     // EdDSA on Ed25519
    [InlineData(-8, 7, 57)]     // EdDSA on Ed448
    [InlineData(-19, 6, 32)]    // Ed25519
    [InlineData(-53, 7, 57)]    // Ed448
    public void Decode_OkpAlgorithmOnItsCurve_Succeeds(int alg, int crv, int size)
    {
        var x = crv == 6 ? Ed25519PublicKey() : Ed448PublicKey();

        var decoded = Decode((1, 1), (3, alg), (-1, crv), (-2, x));

        Assert.True(decoded.Succeeded, decoded.Failure?.ToString());
        Assert.Equal(CoseKeyType.Okp, decoded.Value.KeyType);
        Assert.Equal((CoseCurve)crv, decoded.Value.Curve);
        Assert.Equal(size, decoded.Value.Material.X.Length);
    }

    [Theory]
    [InlineData(-19, 7, 57)]    // Ed25519 on Ed448
    [InlineData(-53, 6, 32)]    // Ed448 on Ed25519
    [InlineData(-8, 1, 32)]     // EdDSA on P-256
    [InlineData(-7, 6, 32)]     // ES256 with an OKP key
    [InlineData(-8, 6, 31)]     // short x
    [InlineData(-8, 6, 57)]     // an Ed448-sized x on Ed25519
    [InlineData(-8, 7, 32)]     // an Ed25519-sized x on Ed448
    public void Decode_OkpMismatch_ReturnsPublicKeyInvalid(int alg, int crv, int size) =>
        AssertInvalid(Decode((1, 1), (3, alg), (-1, crv), (-2, new byte[size])));

    [Fact]
    public void Decode_OkpWithoutCrvOrX_ReturnsPublicKeyInvalid()
    {
        AssertInvalid(Decode((1, 1), (3, -8), (-2, new byte[32])));
        AssertInvalid(Decode((1, 1), (3, -8), (-1, 6)));
    }

    [Theory]
    [InlineData(-257, false)]
    [InlineData(-258, false)]
    [InlineData(-259, false)]
    [InlineData(-65535, false)]
    [InlineData(-37, true)]
    [InlineData(-38, true)]
    [InlineData(-39, true)]
    public void Decode_RsaAlgorithms_SucceedAndVerifyWithTheirPadding(int alg, bool pss)
    {
        var p = Rsa2048.ExportParameters(false);
        var data = "signed"u8.ToArray();
        var hash = CosePublicKey.HashFor((CoseAlgorithm)alg);

        var decoded = Decode((1, 3), (3, alg), (-1, p.Modulus!), (-2, p.Exponent!));

        Assert.True(decoded.Succeeded, decoded.Failure?.ToString());
        Assert.Equal(CoseKeyType.Rsa, decoded.Value.KeyType);
        Assert.True(decoded.Value.Verify(data, Rsa2048.SignData(data, hash, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)));
        Assert.False(decoded.Value.Verify(data, Rsa2048.SignData(data, hash, pss ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss)));
    }

    [Fact]
    public void Decode_RsaModulusWithLeadingZero_IsTrimmed()
    {
        var p = Rsa2048.ExportParameters(false);

        Assert.True(Decode((1, 3), (3, -257), (-1, (byte[])[0x00, .. p.Modulus!]), (-2, p.Exponent!)).Succeeded);
    }

    [Fact]
    public void Decode_RsaModulusShorterThan2048BitsOrEven_ReturnsPublicKeyInvalid()
    {
        var modulus = Rsa2048.ExportParameters(false).Modulus!;
        var even = (byte[])modulus.Clone();
        even[^1] &= 0xFE;
        using var small = RSA.Create(1024);

        AssertInvalid(Decode((1, 3), (3, -257), (-1, modulus[1..]), (-2, (byte[])[1, 0, 1])));    // 2040 bits
        AssertInvalid(Decode((1, 3), (3, -257), (-1, small.ExportParameters(false).Modulus!), (-2, (byte[])[1, 0, 1])));
        AssertInvalid(Decode((1, 3), (3, -257), (-1, even), (-2, (byte[])[1, 0, 1])));
    }

    [Fact]
    public void Decode_RsaWithoutModulusOrExponent_ReturnsPublicKeyInvalid()
    {
        var modulus = Rsa2048.ExportParameters(false).Modulus!;

        AssertInvalid(Decode((1, 3), (3, -257), (-2, (byte[])[1, 0, 1])));
        AssertInvalid(Decode((1, 3), (3, -257), (-1, modulus)));
        AssertInvalid(Decode((1, 3), (3, -257), (-1, Array.Empty<byte>()), (-2, (byte[])[1, 0, 1])));
        AssertInvalid(Decode((1, 3), (3, -257), (-1, modulus), (-2, Array.Empty<byte>())));
    }

    [Theory]
    [InlineData(-7)]
    [InlineData(-8)]
    public void Decode_RsaWithANonRsaAlgorithm_ReturnsPublicKeyInvalid(int alg)
    {
        var p = Rsa2048.ExportParameters(false);

        AssertInvalid(Decode((1, 3), (3, alg), (-1, p.Modulus!), (-2, p.Exponent!)));
    }

    [Theory]
    [InlineData(-48, 1312)]
    [InlineData(-49, 1952)]
    [InlineData(-50, 2592)]
    public void Decode_MLDsaKeyOfItsLength_Succeeds(int alg, int length)
    {
        var decoded = Decode((1, 7), (3, alg), (-1, new byte[length]));

        Assert.True(decoded.Succeeded, decoded.Failure?.ToString());
        Assert.Equal(CoseKeyType.Akp, decoded.Value.KeyType);
        Assert.Equal((CoseAlgorithm)alg, decoded.Value.Algorithm);
    }

    [Theory]
    [InlineData(-48, 1952)]
    [InlineData(-49, 2592)]
    [InlineData(-50, 1312)]
    [InlineData(-7, 1312)]
    public void Decode_MLDsaKeyOfAnotherLengthOrAlgorithm_ReturnsPublicKeyInvalid(int alg, int length) =>
        AssertInvalid(Decode((1, 7), (3, alg), (-1, new byte[length])));

    [Fact]
    public void Decode_MLDsaWithoutPublicKey_ReturnsPublicKeyInvalid() =>
        AssertInvalid(Decode((1, 7), (3, -48)));

    [Fact]
    public void Decode_MissingKtyOrAlgOrNotAMap_ReturnsPublicKeyInvalid()
    {
        AssertInvalid(Decode((3, -7), (-1, 1)));
        AssertInvalid(Decode((1, 2), (-1, 1)));
        AssertInvalid(Decode((1, true), (3, -7)));
        AssertInvalid(CosePublicKey.Decode(new byte[] { 0x80 }));
    }

    [Theory]
    [InlineData(2, -1000)]                      // an algorithm COSE does not define here
    [InlineData(2, 2147483648)]                 // beyond int
    [InlineData(2, -2147483649)]
    [InlineData(2, 4294967289)]                 // truncates to -7
    [InlineData(4, -7)]                         // kty Symmetric
    [InlineData(0, -7)]
    public void Decode_UnknownAlgorithmOrKeyType_ReturnsAlgorithmUnsupported(long kty, long alg)
    {
        var decoded = Decode((1, kty), (3, alg));

        Assert.False(decoded.Succeeded);
        Assert.Equal(WebAuthnErrorCode.AlgorithmUnsupported, decoded.Failure.Error);
    }

    [Theory]
    [InlineData(CoseAlgorithm.ES256, "SHA256")]
    [InlineData(CoseAlgorithm.RS256, "SHA256")]
    [InlineData(CoseAlgorithm.PS256, "SHA256")]
    [InlineData(CoseAlgorithm.ES384, "SHA384")]
    [InlineData(CoseAlgorithm.RS384, "SHA384")]
    [InlineData(CoseAlgorithm.PS384, "SHA384")]
    [InlineData(CoseAlgorithm.ES512, "SHA512")]
    [InlineData(CoseAlgorithm.RS512, "SHA512")]
    [InlineData(CoseAlgorithm.PS512, "SHA512")]
    [InlineData(CoseAlgorithm.RS1, "SHA1")]
    public void HashFor_EachHashThenSignAlgorithm(CoseAlgorithm algorithm, string hash) =>
        Assert.Equal(new HashAlgorithmName(hash), CosePublicKey.HashFor(algorithm));

    [Fact]
    public void HashFor_EdDsa_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CosePublicKey.HashFor(CoseAlgorithm.EdDSA));

    private static byte[] Ed25519PublicKey()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.Ed25519KeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.Ed25519KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        return ((Org.BouncyCastle.Crypto.Parameters.Ed25519PublicKeyParameters)generator.GenerateKeyPair().Public).GetEncoded();
    }

    private static byte[] Ed448PublicKey()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.Ed448KeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.Ed448KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        return ((Org.BouncyCastle.Crypto.Parameters.Ed448PublicKeyParameters)generator.GenerateKeyPair().Public).GetEncoded();
    }

    private static WebAuthnResult<CosePublicKey> Decode(params (long Label, object Value)[] entries)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(entries.Length);
        foreach (var (label, value) in entries)
        {
            w.WriteInt64(label);
            switch (value)
            {
                case int i:
                    w.WriteInt64(i);
                    break;
                case long l:
                    w.WriteInt64(l);
                    break;
                case byte[] b:
                    w.WriteByteString(b);
                    break;
                case bool b:
                    w.WriteBoolean(b);
                    break;
                default:
                    throw new ArgumentException("an integer, bytes or a boolean", nameof(entries));
            }
        }

        w.WriteEndMap();
        return CosePublicKey.Decode(w.Encode());
    }

    private static void AssertInvalid(WebAuthnResult<CosePublicKey> result)
    {
        Assert.False(result.Succeeded, "the key decoded although it should not have");
        Assert.Equal(WebAuthnErrorCode.PublicKeyInvalid, result.Failure.Error);
    }
}
