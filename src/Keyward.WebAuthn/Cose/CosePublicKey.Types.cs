using System.Security.Cryptography;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Cose;

public sealed partial class CosePublicKey
{
    /// <summary>Smallest RSA modulus accepted for a credential key (NIST SP 800-131A).</summary>
    public const int MinimumRsaModulusBits = 2048;

    private static WebAuthnResult<CosePublicKey> FromEc2(CborValue map, CoseAlgorithm algorithm, byte[] encoded)
    {
        var (expectedCurve, size, name) = algorithm switch
        {
            CoseAlgorithm.ES256 => (CoseCurve.P256, 32, ECCurve.NamedCurves.nistP256),
            CoseAlgorithm.ES384 => (CoseCurve.P384, 48, ECCurve.NamedCurves.nistP384),
            CoseAlgorithm.ES512 => (CoseCurve.P521, 66, ECCurve.NamedCurves.nistP521),
            _ => (CoseCurve.None, 0, default),
        };
        if (expectedCurve == CoseCurve.None)
        {
            return Invalid($"algorithm {algorithm} does not use an EC2 key");
        }

        if (!map.TryGetInteger(CoseLabels.Curve, out var crv) || crv != (long)expectedCurve)
        {
            return Invalid($"an {algorithm} key must be on curve {expectedCurve}");
        }

        // RFC 9053 §7.1.1: y may be a boolean (point compression); WebAuthn keys are uncompressed.
        if (!map.TryGetBytes(CoseLabels.X, out var x) || !map.TryGetBytes(CoseLabels.Y, out var y) || x.Length != size || y.Length != size)
        {
            return Invalid($"x and y must be {size}-byte strings");
        }

        var parameters = new ECParameters { Curve = name, Q = new ECPoint { X = x, Y = y } };
        ECDsa ecdsa;
        try
        {
            ecdsa = ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            return Invalid("the point is not on the curve");
        }

        var verifier = new EcdsaVerifier(parameters, ecdsa, HashFor(algorithm));
        return WebAuthnResult<CosePublicKey>.Ok(new CosePublicKey(CoseKeyType.Ec2, algorithm, expectedCurve, encoded, CoseKeyMaterial.Ec(x, y), verifier));
    }

    private static WebAuthnResult<CosePublicKey> FromOkp(CborValue map, CoseAlgorithm algorithm, byte[] encoded)
    {
        if (!map.TryGetInteger(CoseLabels.Curve, out var crv))
        {
            return Invalid("crv (label -1) is missing");
        }

        var curve = (CoseCurve)crv;
        var ok = (algorithm, curve) is (CoseAlgorithm.EdDSA, CoseCurve.Ed25519) or (CoseAlgorithm.EdDSA, CoseCurve.Ed448)
            or (CoseAlgorithm.Ed25519, CoseCurve.Ed25519) or (CoseAlgorithm.Ed448, CoseCurve.Ed448);
        if (!ok)
        {
            return Invalid($"algorithm {algorithm} cannot use an OKP key on curve {crv}");
        }

        var size = curve == CoseCurve.Ed25519 ? 32 : 57;
        if (!map.TryGetBytes(CoseLabels.X, out var x) || x.Length != size)
        {
            return Invalid($"x must be a {size}-byte string");
        }

        var verifier = EdDsaVerifier.Create(curve, x);
        if (verifier is null)
        {
            return Invalid("the EdDSA public key is not a valid point");
        }

        return WebAuthnResult<CosePublicKey>.Ok(new CosePublicKey(CoseKeyType.Okp, algorithm, curve, encoded, CoseKeyMaterial.Okp(x), verifier));
    }

    private static WebAuthnResult<CosePublicKey> FromRsa(CborValue map, CoseAlgorithm algorithm, byte[] encoded)
    {
        var padding = algorithm switch
        {
            CoseAlgorithm.RS256 or CoseAlgorithm.RS384 or CoseAlgorithm.RS512 or CoseAlgorithm.RS1 => RSASignaturePadding.Pkcs1,
            CoseAlgorithm.PS256 or CoseAlgorithm.PS384 or CoseAlgorithm.PS512 => RSASignaturePadding.Pss,
            _ => null,
        };
        if (padding is null)
        {
            return Invalid($"algorithm {algorithm} does not use an RSA key");
        }

        if (!map.TryGetBytes(CoseLabels.RsaModulus, out var n) || !map.TryGetBytes(CoseLabels.RsaExponent, out var e) || n.Length == 0 || e.Length == 0)
        {
            return Invalid("n (label -1) and e (label -2) must be byte strings");
        }

        var modulus = n.AsSpan().TrimStart((byte)0).ToArray();
        if (modulus.Length * 8 < MinimumRsaModulusBits || (modulus[^1] & 1) == 0)
        {
            return Invalid($"the RSA modulus must be odd and at least {MinimumRsaModulusBits} bits");
        }

        // An exponent of only zero bytes is empty once trimmed; RSA.Create then fails with an IndexOutOfRangeException.
        var exponent = e.AsSpan().TrimStart((byte)0).ToArray();
        if (exponent.Length == 0)
        {
            return Invalid("the RSA exponent e must not be zero");
        }

        var parameters = new RSAParameters { Modulus = modulus, Exponent = exponent };
        RSA rsa;
        try
        {
            rsa = RSA.Create(parameters);
        }
        catch (CryptographicException)
        {
            return Invalid("the RSA key cannot be imported");
        }

        var verifier = new RsaVerifier(parameters, rsa, HashFor(algorithm), padding);
        return WebAuthnResult<CosePublicKey>.Ok(new CosePublicKey(CoseKeyType.Rsa, algorithm, CoseCurve.None, encoded, CoseKeyMaterial.Rsa(n, e), verifier));
    }

    private static WebAuthnResult<CosePublicKey> FromAkp(CborValue map, CoseAlgorithm algorithm, byte[] encoded)
    {
        if (algorithm is not (CoseAlgorithm.MLDsa44 or CoseAlgorithm.MLDsa65 or CoseAlgorithm.MLDsa87))
        {
            return Invalid($"algorithm {algorithm} does not use an AKP key");
        }

        if (!map.TryGetBytes(CoseLabels.AkpPublic, out var pub))
        {
            return Invalid("pub (label -1) must be a byte string");
        }

        var verifier = MLDsaVerifier.Create(algorithm, pub);
        if (verifier is null)
        {
            return Invalid($"the {algorithm} public key has the wrong length");
        }

        return WebAuthnResult<CosePublicKey>.Ok(new CosePublicKey(CoseKeyType.Akp, algorithm, CoseCurve.None, encoded, CoseKeyMaterial.Akp(pub), verifier));
    }

    /// <summary>The hash a COSE signature algorithm uses.</summary>
    internal static HashAlgorithmName HashFor(CoseAlgorithm algorithm) => algorithm switch
    {
        CoseAlgorithm.ES256 or CoseAlgorithm.RS256 or CoseAlgorithm.PS256 => HashAlgorithmName.SHA256,
        CoseAlgorithm.ES384 or CoseAlgorithm.RS384 or CoseAlgorithm.PS384 => HashAlgorithmName.SHA384,
        CoseAlgorithm.ES512 or CoseAlgorithm.RS512 or CoseAlgorithm.PS512 => HashAlgorithmName.SHA512,
        CoseAlgorithm.RS1 => HashAlgorithmName.SHA1,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a hash-then-sign algorithm"),
    };
}
