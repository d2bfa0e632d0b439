using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// fmt "apple" (WebAuthn L3 §8.8): Apple's anonymization CA issues a certificate for the credential key whose
/// extension carries SHA-256(authenticatorData ‖ clientDataHash). There is no signature in attStmt.
/// </summary>
internal sealed class AppleAttestation : IAttestationFormat
{
    private const string NonceExtensionOid = "1.2.840.113635.100.8.2";
    // Stryker disable once Boolean : equivalent, AsnReader matches an expected tag by class and number; it checks that the tag read is constructed itself
    private static readonly Asn1Tag NonceTag = new(TagClass.ContextSpecific, 1, isConstructed: true);

    public string Format => "apple";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input)
    {
        if (input.Statement.Kind != CborKind.Map)
        {
            return Invalid("attStmt is not a map");
        }

        var x5c = AttestationCertificates.ReadX5c(input.Statement);
        if (!x5c.Succeeded)
        {
            return x5c.Failure;
        }

        var result = Verify(input, x5c.Value);
        if (!result.Succeeded)
        {
            AttestationCertificates.Dispose(x5c.Value);
        }

        return result;
    }

    private static WebAuthnResult<AttestationVerdict> Verify(AttestationInput input, X509Certificate2[] x5c)
    {
        var credCert = x5c[0];
        var extension = credCert.Extensions[NonceExtensionOid];
        if (extension is null)
        {
            return Invalid("the credential certificate lacks the Apple nonce extension");
        }

        var nonce = ReadNonce(extension.RawData);
        if (nonce is null)
        {
            return Invalid("the Apple nonce extension is malformed");
        }

        // §8.8 steps 2-4: nonce = SHA-256(authenticatorData ‖ clientDataHash) must equal the extension's value.
        if (!nonce.AsSpan().SequenceEqual(SHA256.HashData(input.SignedBytes())))
        {
            return Invalid("the Apple nonce does not match authenticatorData and clientDataHash");
        }

        // §8.8 step 5: the certificate is for the credential key itself.
        if (!CertificateSignature.PublicKeyMatches(credCert, input.Credential.PublicKey))
        {
            return Invalid("the credential certificate key is not the credential public key");
        }

        return WebAuthnResult<AttestationVerdict>.Ok(new AttestationVerdict(AttestationType.AnonCA, x5c));
    }

    private static byte[]? ReadNonce(byte[] der)
    {
        // SEQUENCE { nonce [1] EXPLICIT OCTET STRING }
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.RequireEnd();
            var tagged = sequence.ReadSequence(NonceTag);
            sequence.RequireEnd();
            var nonce = tagged.ReadOctetString();
            tagged.RequireEnd();
            return nonce;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static WebAuthnResult<AttestationVerdict> Invalid(string detail) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, detail);
}
