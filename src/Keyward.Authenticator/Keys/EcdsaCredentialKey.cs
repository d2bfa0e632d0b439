using System.Formats.Cbor;
using System.Security.Cryptography;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator;

/// <summary>An ES256 (ECDSA P-256, SHA-256) credential key.</summary>
internal sealed class EcdsaCredentialKey : CredentialKey
{
    private EcdsaCredentialKey(byte[] pkcs8, byte[] coseKey, byte[] spki)
        : base(CoseAlgorithm.ES256, pkcs8, coseKey, spki)
    {
    }

    public static EcdsaCredentialKey Generate()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return From(ecdsa);
    }

    public static EcdsaCredentialKey? Import(byte[] pkcs8)
    {
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out var read);
            if (read != pkcs8.Length || ecdsa.KeySize != 256)
            {
                return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        return From(ecdsa);
    }

    public override byte[] Sign(ReadOnlySpan<byte> data)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(PrivateKey, out _);
        return ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static EcdsaCredentialKey From(ECDsa ecdsa)
    {
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        return new EcdsaCredentialKey(ecdsa.ExportPkcs8PrivateKey(), EncodeCoseKey(parameters.Q), ecdsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>COSE_Key {1: 2 (EC2), 3: -7, -1: 1 (P-256), -2: x, -3: y} (RFC 9053 §7.1.1) in CTAP2 canonical order.</summary>
    private static byte[] EncodeCoseKey(ECPoint q)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(5);
        writer.WriteInt32(1);
        writer.WriteInt32((int)CoseKeyType.Ec2);
        writer.WriteInt32(3);
        writer.WriteInt32((int)CoseAlgorithm.ES256);
        writer.WriteInt32(-1);
        writer.WriteInt32((int)CoseCurve.P256);
        writer.WriteInt32(-2);
        writer.WriteByteString(q.X!);
        writer.WriteInt32(-3);
        writer.WriteByteString(q.Y!);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
