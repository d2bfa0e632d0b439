using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using static Keyward.WebAuthn.Tests.Attestation.Statements;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// A software TPM for tpm attestation tests: builds pubArea for the credential key, certInfo (TPMS_ATTEST) over it,
/// and an AIK certificate, and signs certInfo with the AIK. Each property can be spoiled on its own and the result
/// is still correctly signed, so every negative test exercises exactly one rule.
/// </summary>
internal sealed class TpmStatementBuilder : IDisposable
{
    public const ushort AlgSha256 = 0x000B;

    private readonly TestCredential _credential;
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa();
    private readonly ECDsa _aik = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TpmStatementBuilder(TestCredential credential)
    {
        _credential = credential;
        AikExtensions =
        [
            TestCertificates.LeafConstraints(),
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true),
            AikUsage(),
            TpmSubjectAltName("id:FFFFF1D0", "Keyward soft TPM", "id:00000001"),
        ];
    }

    public string Ver { get; set; } = "2.0";

    public uint Magic { get; set; } = 0xff544347;

    public ushort Type { get; set; } = 0x8017;

    public ushort NameAlg { get; set; } = AlgSha256;

    /// <summary>The RSA exponent written into pubArea (0 means the TPM default 65537).</summary>
    public uint RsaExponent { get; set; }

    /// <summary>Overrides pubArea; Name is still computed over whatever pubArea is used.</summary>
    public byte[]? PubArea { get; set; }

    /// <summary>Overrides extraData (default: SHA-256 of authenticatorData ‖ clientDataHash).</summary>
    public byte[]? ExtraData { get; set; }

    /// <summary>Overrides attested.name (default: nameAlg ‖ H(pubArea)).</summary>
    public byte[]? Name { get; set; }

    /// <summary>Edits certInfo before it is signed.</summary>
    public Func<byte[], byte[]> EditCertInfo { get; set; } = c => c;

    public X500DistinguishedName AikSubject { get; set; } = new([0x30, 0x00]);

    public List<X509Extension> AikExtensions { get; }

    public CborValue Build()
    {
        var pubArea = PubArea ?? PublicArea(_credential, NameAlg, RsaExponent);
        var name = Name ?? [.. U16(NameAlg), .. SHA256.HashData(pubArea)];
        var certInfo = EditCertInfo(CertInfo(ExtraData ?? SHA256.HashData(_credential.SignedBytes), name));
        using var aikCertificate = TestCertificates.Issue(_ca, _aik, AikSubject, AikExtensions);
        var sig = _aik.SignData(certInfo, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return Map(
            ("ver", Text(Ver)),
            ("alg", Integer(-7)),
            ("x5c", X5c(aikCertificate.RawData)),
            ("sig", Bytes(sig)),
            ("certInfo", Bytes(certInfo)),
            ("pubArea", Bytes(pubArea)));
    }

    /// <summary>TPMT_PUBLIC for the credential's key.</summary>
    public static byte[] PublicArea(TestCredential credential, ushort nameAlg = AlgSha256, uint rsaExponent = 0)
    {
        const uint Attributes = 0x00050072; // fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, sign
        if (credential.Ec is { } ec)
        {
            var q = ec.ExportParameters(false).Q;
            return [.. U16(0x0023), .. U16(nameAlg), .. U32(Attributes), .. Sized([]), .. U16(0x0010), .. U16(0x0010), .. U16(0x0003), .. U16(0x0010), .. Sized(q.X!), .. Sized(q.Y!)];
        }

        var modulus = credential.Rsa!.ExportParameters(false).Modulus!;
        return [.. U16(0x0001), .. U16(nameAlg), .. U32(Attributes), .. Sized([]), .. U16(0x0010), .. U16(0x0010), .. U16((ushort)(modulus.Length * 8)), .. U32(rsaExponent), .. Sized(modulus)];
    }

    /// <summary>tcg-kp-AIKCertificate in an extended key usage extension.</summary>
    public static X509Extension AikUsage() => new X509EnhancedKeyUsageExtension([new Oid("2.23.133.8.3")], false);

    /// <summary>A critical SAN holding a directoryName with the given TPM manufacturer, model and version (null leaves one out).</summary>
    public static X509Extension TpmSubjectAltName(string? manufacturer, string? model, string? version, bool critical = true)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in new[] { ("2.23.133.2.1", manufacturer), ("2.23.133.2.2", model), ("2.23.133.2.3", version) })
            {
                if (value is null)
                {
                    continue;
                }

                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _aik.Dispose();
    }

    private byte[] CertInfo(byte[] extraData, byte[] name)
    {
        byte[] qualifiedSigner = [.. U16(AlgSha256), .. RandomNumberGenerator.GetBytes(32)];
        byte[] qualifiedName = [.. U16(AlgSha256), .. RandomNumberGenerator.GetBytes(32)];
        var clockInfo = new byte[17];
        var firmware = new byte[8];
        return [.. U32(Magic), .. U16(Type), .. Sized(qualifiedSigner), .. Sized(extraData), .. clockInfo, .. firmware, .. Sized(name), .. Sized(qualifiedName)];
    }

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Sized(byte[] value) => [.. U16((ushort)value.Length), .. value];
}
