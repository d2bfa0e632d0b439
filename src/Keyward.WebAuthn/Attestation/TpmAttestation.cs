using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// fmt "tpm" (WebAuthn L3 §8.3): a TPM certifies the credential key (pubArea) with its attestation identity key,
/// signing certInfo, which binds the key's Name and the hash of authenticatorData ‖ clientDataHash.
/// </summary>
internal sealed class TpmAttestation : IAttestationFormat
{
    private const ushort AlgSha1 = 0x0004;
    private const ushort AlgSha256 = 0x000B;
    private const ushort AlgSha384 = 0x000C;
    private const ushort AlgSha512 = 0x000D;

    public string Format => "tpm";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input)
    {
        var statement = input.Statement;
        if (statement.Kind != CborKind.Map)
        {
            return Invalid("attStmt is not a map");
        }

        if (!statement.TryGetText("ver", out var ver) || !string.Equals(ver, "2.0", StringComparison.Ordinal))
        {
            return Invalid("attStmt.ver must be \"2.0\"");
        }

        // RS1 (SHA-1) is accepted here only: TPMs in service still sign with it. Credential keys never may.
        var alg = AttestationCertificates.ReadAlgorithm(statement, allowSha1: true);
        if (!alg.Succeeded)
        {
            return alg.Failure;
        }

        if (alg.Value is CoseAlgorithm.EdDSA or CoseAlgorithm.Ed25519 or CoseAlgorithm.Ed448)
        {
            return WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AlgorithmUnsupported, $"TPM attestation with {alg.Value}");
        }

        if (!statement.TryGetBytes("sig", out var sig) || !statement.TryGetBytes("certInfo", out var certInfo) || !statement.TryGetBytes("pubArea", out var pubArea))
        {
            return Invalid("attStmt.sig, certInfo and pubArea must be byte strings");
        }

        var x5c = AttestationCertificates.ReadX5c(statement);
        if (!x5c.Succeeded)
        {
            return x5c.Failure;
        }

        var result = Verify(input, alg.Value, sig, certInfo, pubArea, x5c.Value);
        if (!result.Succeeded)
        {
            AttestationCertificates.Dispose(x5c.Value);
        }

        return result;
    }

    private static WebAuthnResult<AttestationVerdict> Verify(AttestationInput input, CoseAlgorithm alg, byte[] sig, byte[] certInfo, byte[] pubArea, X509Certificate2[] x5c)
    {
        // §8.3 step 2: the public key in pubArea is the credential public key.
        var publicArea = TpmPublicArea.Parse(pubArea);
        if (publicArea is null)
        {
            return Invalid("pubArea is truncated, has trailing bytes or is not an RSA or ECC key");
        }

        if (CheckPublicArea(publicArea, input.Credential.PublicKey) is { } keyFailure)
        {
            return Invalid(keyFailure);
        }

        // §8.3 step 4: certInfo is a TPMS_ATTEST made by the TPM for TPM2_Certify.
        var attest = TpmAttest.Parse(certInfo);
        if (attest is null)
        {
            return Invalid("certInfo is truncated or has trailing bytes");
        }

        if (attest.Magic != TpmAttest.GeneratedValue)
        {
            return Invalid("certInfo.magic is not TPM_GENERATED_VALUE");
        }

        if (attest.Type != TpmAttest.AttestCertify)
        {
            return Invalid("certInfo.type is not TPM_ST_ATTEST_CERTIFY");
        }

        // extraData = hash of attToBeSigned under the hash of alg.
        var expected = CryptographicOperations.HashData(CosePublicKey.HashFor(alg), input.SignedBytes());
        if (!attest.ExtraData.AsSpan().SequenceEqual(expected))
        {
            return Invalid("certInfo.extraData is not the hash of authenticatorData and clientDataHash");
        }

        // attested.name is the Name of pubArea: nameAlg ‖ H_nameAlg(pubArea) (TPM 2.0 Part 1 §16).
        var name = ComputeName(publicArea.NameAlg, pubArea);
        if (name is null)
        {
            return Invalid($"pubArea.nameAlg 0x{publicArea.NameAlg:x4} is not a supported hash");
        }

        if (!attest.Name.AsSpan().SequenceEqual(name))
        {
            return Invalid("certInfo.attested.name is not the Name of pubArea");
        }

        // §8.3 step 4: sig over certInfo with the AIK certificate's key under alg.
        var aik = x5c[0];
        if (!CertificateSignature.Verify(aik, alg, certInfo, sig))
        {
            return Invalid("the TPM attestation signature does not verify with the AIK certificate");
        }

        if (TpmAikCertificate.Check(aik) is { } certificateFailure)
        {
            return certificateFailure;
        }

        if (AttestationCertificates.CheckAaguidExtension(aik, input.Credential.Aaguid) is { } aaguidFailure)
        {
            return aaguidFailure;
        }

        return WebAuthnResult<AttestationVerdict>.Ok(new AttestationVerdict(AttestationType.AttCA, x5c));
    }

    /// <summary>Null when pubArea describes exactly the credential key; otherwise why not.</summary>
    // Stryker disable String : the reasons are failure details; any non-null reason fails the same way
    private static string? CheckPublicArea(TpmPublicArea area, CosePublicKey key)
    {
        switch (area.Type)
        {
            case TpmPublicArea.AlgRsa when key.KeyType == CoseKeyType.Rsa:
                {
                    var modulus = CertificateSignature.TrimLeadingZeros(area.Modulus);
                    if (!modulus.SequenceEqual(CertificateSignature.TrimLeadingZeros(key.Material.Modulus)) || area.KeyBits != modulus.Length * 8)
                    {
                        return "pubArea.unique (RSA modulus) differs from the credential key";
                    }

                    // TPM 2.0 Part 2 §12.2.3.5: an exponent of zero means the default exponent 2^16 + 1.
                    var exponent = area.Exponent == 0 ? 65537u : area.Exponent;
                    Span<byte> tpmExponent = stackalloc byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(tpmExponent, exponent);
                    return CertificateSignature.TrimLeadingZeros(tpmExponent).SequenceEqual(CertificateSignature.TrimLeadingZeros(key.Material.Exponent))
                        ? null
                        : "pubArea RSA exponent differs from the credential key";
                }

            case TpmPublicArea.AlgEcc when key.KeyType == CoseKeyType.Ec2:
                {
                    var curve = area.CurveId switch
                    {
                        0x0003 => CoseCurve.P256, // TPM_ECC_NIST_P256
                        0x0004 => CoseCurve.P384, // TPM_ECC_NIST_P384
                        0x0005 => CoseCurve.P521, // TPM_ECC_NIST_P521
                        _ => CoseCurve.None,
                    };
                    if (curve != key.Curve)
                    {
                        return "pubArea curve differs from the credential key's curve";
                    }

                    return area.X.AsSpan().SequenceEqual(key.Material.X) && area.Y.AsSpan().SequenceEqual(key.Material.Y)
                        ? null
                        : "pubArea.unique (EC point) differs from the credential key";
                }

            default:
                return "pubArea key type differs from the credential key type";
        }
    }

    // Stryker restore String
    private static byte[]? ComputeName(ushort nameAlg, byte[] pubArea)
    {
        // A SHA-1 nameAlg is accepted, as deployed TPMs use it: substituting another pubArea under a Name the TPM
        // certified takes a second preimage of a key the TPM generated, which SHA-1 still resists.
        HashAlgorithmName? hash = nameAlg switch
        {
            AlgSha1 => HashAlgorithmName.SHA1,
            AlgSha256 => HashAlgorithmName.SHA256,
            AlgSha384 => HashAlgorithmName.SHA384,
            AlgSha512 => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is null)
        {
            return null;
        }

        var name = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(name, nameAlg);
        return [.. name, .. CryptographicOperations.HashData(hash.Value, pubArea)];
    }

    private static WebAuthnResult<AttestationVerdict> Invalid(string detail) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, detail);
}
