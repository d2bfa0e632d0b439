using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// Signature checks with an attestation certificate's public key under a COSE algorithm, and comparison of a
/// certificate's key with the credential public key. Nothing here throws on hostile input: a key of the wrong
/// type, a malformed signature or an unsupported algorithm is simply "does not verify".
/// </summary>
internal static class CertificateSignature
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string Ed25519Oid = "1.3.101.112";
    private const string Ed448Oid = "1.3.101.113";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string P521Oid = "1.3.132.0.35";

    /// <summary>Whether an attestation signature under <paramref name="algorithm"/> can be checked with a certificate key.</summary>
    /// <param name="algorithm">The attStmt alg.</param>
    /// <param name="allowSha1">True only for TPM attestation statements, where RS1 is still in use (WebAuthn L3 §8.3).</param>
    public static bool IsSupported(CoseAlgorithm algorithm, bool allowSha1) => algorithm switch
    {
        CoseAlgorithm.ES256 or CoseAlgorithm.ES384 or CoseAlgorithm.ES512 => true,
        CoseAlgorithm.RS256 or CoseAlgorithm.RS384 or CoseAlgorithm.RS512 => true,
        CoseAlgorithm.PS256 or CoseAlgorithm.PS384 or CoseAlgorithm.PS512 => true,
        CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 or CoseAlgorithm.Ed448 => true,
        CoseAlgorithm.RS1 => allowSha1,
        _ => false,
    };

    /// <summary>True when <paramref name="signature"/> over <paramref name="data"/> verifies with the certificate's key under <paramref name="algorithm"/>.</summary>
    public static bool Verify(X509Certificate2 certificate, CoseAlgorithm algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (algorithm)
            {
                case CoseAlgorithm.ES256 or CoseAlgorithm.ES384 or CoseAlgorithm.ES512:
                    {
                        // WebAuthn L3 §6.5.5: ECDSA attestation signatures are DER (ASN.1 Ecdsa-Sig-Value).
                        using var ecdsa = certificate.GetECDsaPublicKey();
                        return ecdsa is not null && ecdsa.VerifyData(data, signature, CosePublicKey.HashFor(algorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                case CoseAlgorithm.RS1 or CoseAlgorithm.RS256 or CoseAlgorithm.RS384 or CoseAlgorithm.RS512:
                    {
                        using var rsa = certificate.GetRSAPublicKey();
                        return rsa is not null && rsa.VerifyData(data, signature, CosePublicKey.HashFor(algorithm), RSASignaturePadding.Pkcs1);
                    }

                case CoseAlgorithm.PS256 or CoseAlgorithm.PS384 or CoseAlgorithm.PS512:
                    {
                        using var rsa = certificate.GetRSAPublicKey();
                        return rsa is not null && rsa.VerifyData(data, signature, CosePublicKey.HashFor(algorithm), RSASignaturePadding.Pss);
                    }

                case CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 or CoseAlgorithm.Ed448:
                    return VerifyEdDsa(certificate, algorithm, data, signature);

                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The named curve of an EC certificate key (dotted OID), or null when the key is not EC or the parameters are not a named curve.</summary>
    public static string? NamedCurve(X509Certificate2 certificate)
    {
        if (certificate.PublicKey.Oid.Value != EcPublicKeyOid || certificate.PublicKey.EncodedParameters is not { } parameters)
        {
            return null;
        }

        try
        {
            var oid = AsnDecoder.ReadObjectIdentifier(parameters.RawData, AsnEncodingRules.DER, out var consumed);
            return consumed == parameters.RawData.Length ? oid : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The dotted OID of a COSE EC2 curve.</summary>
    public static string? CurveOid(CoseCurve curve) => curve switch
    {
        CoseCurve.P256 => P256Oid,
        CoseCurve.P384 => P384Oid,
        CoseCurve.P521 => P521Oid,
        _ => null,
    };

    /// <summary>
    /// True when the certificate's subject public key is the same key as <paramref name="key"/>: the same curve
    /// and uncompressed point, the same RSA modulus and exponent, or the same EdDSA public key.
    /// </summary>
    public static bool PublicKeyMatches(X509Certificate2 certificate, CosePublicKey key)
    {
        var spki = certificate.PublicKey;
        var raw = spki.EncodedKeyValue.RawData;
        switch (key.KeyType)
        {
            case CoseKeyType.Ec2:
                {
                    var curve = CurveOid(key.Curve);
                    if (curve is null || NamedCurve(certificate) != curve)
                    {
                        return false;
                    }

                    // The subjectPublicKey of an EC key is the uncompressed point 0x04 ‖ x ‖ y (RFC 5480 §2.2).
                    byte[] point = [0x04, .. key.Material.X, .. key.Material.Y];
                    return raw.AsSpan().SequenceEqual(point);
                }

            case CoseKeyType.Rsa:
                return spki.Oid.Value == RsaEncryptionOid
                    && TryReadRsaPublicKey(raw, out var modulus, out var exponent)
                    && modulus.SequenceEqual(TrimLeadingZeros(key.Material.Modulus))
                    && exponent.SequenceEqual(TrimLeadingZeros(key.Material.Exponent));

            case CoseKeyType.Okp:
                {
                    var expected = key.Curve switch
                    {
                        CoseCurve.Ed25519 => Ed25519Oid,
                        CoseCurve.Ed448 => Ed448Oid,
                        _ => null,
                    };
                    return expected is not null && spki.Oid.Value == expected && raw.AsSpan().SequenceEqual(key.Material.X);
                }

            default:
                return false;
        }
    }

    /// <summary>The unsigned big-endian magnitude without leading zero bytes.</summary>
    public static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value) => value.TrimStart((byte)0);

    private static bool TryReadRsaPublicKey(byte[] encoded, out byte[] modulus, out byte[] exponent)
    {
        // RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        modulus = [];
        exponent = [];
        try
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            modulus = TrimLeadingZeros(sequence.ReadIntegerBytes().Span).ToArray();
            exponent = TrimLeadingZeros(sequence.ReadIntegerBytes().Span).ToArray();
            return !sequence.HasData && !reader.HasData;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool VerifyEdDsa(X509Certificate2 certificate, CoseAlgorithm algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        // .NET has no EdDSA; the certificate's raw key goes to the same BouncyCastle verifier credential keys use.
        var curve = certificate.PublicKey.Oid.Value switch
        {
            Ed25519Oid when algorithm is CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 => CoseCurve.Ed25519,
            Ed448Oid when algorithm is CoseAlgorithm.EdDSA or CoseAlgorithm.Ed448 => CoseCurve.Ed448,
            _ => CoseCurve.None,
        };
        if (curve == CoseCurve.None)
        {
            return false;
        }

        var verifier = EdDsaVerifier.Create(curve, certificate.PublicKey.EncodedKeyValue.RawData);
        return verifier is not null && verifier.Verify(data, signature);
    }
}
