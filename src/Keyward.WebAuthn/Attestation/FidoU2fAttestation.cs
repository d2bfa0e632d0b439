using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// fmt "fido-u2f" (WebAuthn L3 §8.6): a U2F authenticator's batch certificate signs the U2F registration data.
/// </summary>
/// <remarks>
/// The AAGUID is deliberately not required to be zero. §8.6 does not ask for it, the W3C §16 test vector for this
/// format carries a non-zero AAGUID, and the signature does not cover it (U2F verification data holds no AAGUID),
/// so rejecting it would refuse a spec-valid response without making any forgery harder. Some verifiers do reject
/// it; this is a deliberate, documented difference.
/// </remarks>
internal sealed class FidoU2fAttestation : IAttestationFormat
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    public string Format => "fido-u2f";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input)
    {
        var statement = input.Statement;
        if (statement.Kind != CborKind.Map)
        {
            return Invalid("attStmt is not a map");
        }

        if (!statement.TryGetBytes("sig", out var sig))
        {
            return Invalid("attStmt.sig is missing or not a byte string");
        }

        var x5c = AttestationCertificates.ReadX5c(statement);
        if (!x5c.Succeeded)
        {
            return x5c.Failure;
        }

        var result = Verify(input, sig, x5c.Value);
        if (!result.Succeeded)
        {
            AttestationCertificates.Dispose(x5c.Value);
        }

        return result;
    }

    private static WebAuthnResult<AttestationVerdict> Verify(AttestationInput input, byte[] sig, X509Certificate2[] x5c)
    {
        // §8.6 step 2: exactly one certificate, with an EC public key on P-256.
        if (x5c.Length != 1)
        {
            return Invalid($"x5c must hold exactly one certificate, it holds {x5c.Length}");
        }

        var certificate = x5c[0];
        if (CertificateSignature.NamedCurve(certificate) != P256Oid)
        {
            return Invalid("the attestation certificate key is not an EC P-256 key");
        }

        // §8.6 step 4: the credential key must be an uncompressed P-256 point (x and y of 32 bytes).
        var credential = input.Credential;
        var key = credential.PublicKey;
        if (key.KeyType != CoseKeyType.Ec2 || key.Curve != CoseCurve.P256)
        {
            return Invalid("a fido-u2f credential key must be EC2 on P-256");
        }

        // §8.6 step 5: verificationData = 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F.
        byte[] verificationData =
        [
            0x00,
            .. input.AuthenticatorData.RpIdHash,
            .. input.ClientDataHash,
            .. credential.CredentialId,
            0x04,
            .. key.Material.X,
            .. key.Material.Y,
        ];

        // §8.6 step 6: ECDSA with SHA-256, DER signature.
        if (!CertificateSignature.Verify(certificate, CoseAlgorithm.ES256, verificationData, sig))
        {
            return Invalid("the U2F attestation signature does not verify with the attestation certificate");
        }

        // §8.6 step 8: "Basic or AttCA" – indistinguishable without metadata; Basic as other verifiers report.
        return WebAuthnResult<AttestationVerdict>.Ok(new AttestationVerdict(AttestationType.Basic, x5c));
    }

    private static WebAuthnResult<AttestationVerdict> Invalid(string detail) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, detail);
}
