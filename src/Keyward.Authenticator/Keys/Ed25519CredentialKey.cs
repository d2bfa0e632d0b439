using System.Formats.Cbor;
using Keyward.WebAuthn.Cose;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Keyward.Authenticator;

/// <summary>An Ed25519 credential key, under COSE alg -8 (EdDSA) or -19 (Ed25519, RFC 9864). .NET has no EdDSA, so BouncyCastle signs.</summary>
internal sealed class Ed25519CredentialKey : CredentialKey
{
    // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING { 32 bytes } }.
    private static readonly byte[] SpkiPrefix = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00];

    private Ed25519CredentialKey(CoseAlgorithm algorithm, byte[] seed, byte[] coseKey, byte[] spki)
        : base(algorithm, seed, coseKey, spki)
    {
    }

    public static Ed25519CredentialKey GenerateFor(CoseAlgorithm algorithm)
    {
        var key = new Ed25519PrivateKeyParameters(new SecureRandom());
        return From(algorithm, key);
    }

    public static Ed25519CredentialKey? FromSeed(CoseAlgorithm algorithm, byte[] seed) =>
        seed.Length == Ed25519PrivateKeyParameters.KeySize ? From(algorithm, new Ed25519PrivateKeyParameters(seed)) : null;

    public override byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(PrivateKey));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    private static Ed25519CredentialKey From(CoseAlgorithm algorithm, Ed25519PrivateKeyParameters key)
    {
        var publicKey = key.GeneratePublicKey().GetEncoded();
        return new Ed25519CredentialKey(algorithm, key.GetEncoded(), EncodeCoseKey(algorithm, publicKey), [.. SpkiPrefix, .. publicKey]);
    }

    /// <summary>COSE_Key {1: 1 (OKP), 3: alg, -1: 6 (Ed25519), -2: x} (RFC 9053 §7.2) in CTAP2 canonical order.</summary>
    private static byte[] EncodeCoseKey(CoseAlgorithm algorithm, byte[] publicKey)
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(4);
        writer.WriteInt32(1);
        writer.WriteInt32((int)CoseKeyType.Okp);
        writer.WriteInt32(3);
        writer.WriteInt32((int)algorithm);
        writer.WriteInt32(-1);
        writer.WriteInt32((int)CoseCurve.Ed25519);
        writer.WriteInt32(-2);
        writer.WriteByteString(publicKey);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
