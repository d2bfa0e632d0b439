using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// What several attestation formats share: reading alg and x5c from attStmt, and the certificate requirements
/// that recur across formats (X.509 version, basic constraints, the FIDO AAGUID extension).
/// </summary>
internal static class AttestationCertificates
{
    /// <summary>Most certificates accepted in x5c; real chains have one to five.</summary>
    public const int MaxCertificates = 8;

    /// <summary>id-fido-gen-ce-aaguid (WebAuthn L3 §8.2.1).</summary>
    public const string AaguidExtensionOid = "1.3.6.1.4.1.45724.1.1.4";

    private const string BasicConstraintsOid = "2.5.29.19";

    /// <summary>Reads attStmt.alg as a COSE algorithm this verifier can check with a certificate or credential key.</summary>
    public static WebAuthnResult<CoseAlgorithm> ReadAlgorithm(CborValue statement, bool allowSha1)
    {
        if (!statement.TryGetInteger("alg", out var alg))
        {
            return WebAuthnResult<CoseAlgorithm>.Fail(WebAuthnErrorCode.AttestationInvalid, "attStmt.alg is missing or not an integer");
        }

        if (alg is < int.MinValue or > int.MaxValue || !Enum.IsDefined((CoseAlgorithm)(int)alg) || !CertificateSignature.IsSupported((CoseAlgorithm)(int)alg, allowSha1))
        {
            return WebAuthnResult<CoseAlgorithm>.Fail(WebAuthnErrorCode.AlgorithmUnsupported, $"attestation algorithm {alg}");
        }

        return WebAuthnResult<CoseAlgorithm>.Ok((CoseAlgorithm)(int)alg);
    }

    /// <summary>
    /// Decodes attStmt.x5c: a non-empty CBOR array of DER certificates, leaf first. On success the caller owns
    /// the certificates; on failure none are left undisposed.
    /// </summary>
    public static WebAuthnResult<X509Certificate2[]> ReadX5c(CborValue statement)
    {
        if (!statement.TryGet("x5c", out var x5c) || x5c.Kind != CborKind.Array || x5c.Items.Count == 0)
        {
            return WebAuthnResult<X509Certificate2[]>.Fail(WebAuthnErrorCode.AttestationInvalid, "attStmt.x5c must be a non-empty array");
        }

        if (x5c.Items.Count > MaxCertificates)
        {
            return WebAuthnResult<X509Certificate2[]>.Fail(WebAuthnErrorCode.AttestationInvalid, $"attStmt.x5c has more than {MaxCertificates} certificates");
        }

        var certificates = new List<X509Certificate2>(x5c.Items.Count);
        foreach (var item in x5c.Items)
        {
            var certificate = item.Kind == CborKind.ByteString ? Load(item.Bytes) : null;
            if (certificate is null || HasDuplicateExtensions(certificate))
            {
                certificate?.Dispose();
                Dispose(certificates);
                return WebAuthnResult<X509Certificate2[]>.Fail(WebAuthnErrorCode.AttestationInvalid, $"attStmt.x5c[{certificates.Count}] is not a DER X.509 certificate");
            }

            certificates.Add(certificate);
        }

        return WebAuthnResult<X509Certificate2[]>.Ok([.. certificates]);
    }

    /// <summary>Disposes certificates that will not be handed on in a verdict.</summary>
    public static void Dispose(IEnumerable<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    /// <summary>A failure unless the certificate is X.509 version 3.</summary>
    public static WebAuthnFailure? RequireVersion3(X509Certificate2 certificate) =>
        certificate.Version == 3 ? null : Invalid($"the attestation certificate is version {certificate.Version}, version 3 is required");

    /// <summary>
    /// A failure unless basic constraints leave cA false. An absent extension means cA false (RFC 5280 §4.2.1.9
    /// default), which is how several shipping authenticators' certificates are issued.
    /// </summary>
    public static WebAuthnFailure? RequireNotCa(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[BasicConstraintsOid];
        if (extension is null)
        {
            return null;
        }

        try
        {
            // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var isCa = sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && sequence.ReadBoolean();
            return isCa ? Invalid("the attestation certificate is a CA certificate (basic constraints cA=true)") : null;
        }
        catch (AsnContentException)
        {
            return Invalid("the attestation certificate's basic constraints extension is malformed");
        }
    }

    /// <summary>
    /// When the certificate has the id-fido-gen-ce-aaguid extension, a failure unless its value (an OCTET STRING
    /// holding 16 bytes) equals the AAGUID in authenticator data (WebAuthn L3 §8.2 and §8.3).
    /// </summary>
    public static WebAuthnFailure? CheckAaguidExtension(X509Certificate2 certificate, byte[] aaguid)
    {
        var extension = certificate.Extensions[AaguidExtensionOid];
        if (extension is null)
        {
            return null;
        }

        try
        {
            var value = AsnDecoder.ReadOctetString(extension.RawData, AsnEncodingRules.DER, out var consumed);
            if (consumed != extension.RawData.Length || value.Length != 16)
            {
                return Invalid("the certificate's AAGUID extension is not a 16-byte OCTET STRING");
            }

            return value.AsSpan().SequenceEqual(aaguid) ? null : Invalid("the certificate's AAGUID extension does not match authenticator data");
        }
        catch (AsnContentException)
        {
            return Invalid("the certificate's AAGUID extension is malformed");
        }
    }

    /// <summary>Throws <see cref="AsnContentException"/> when DER data follows where a structure should end.</summary>
    public static void RequireEnd(this AsnReader reader)
    {
        if (reader.HasData)
        {
            throw new AsnContentException("unexpected data after the end of the structure");
        }
    }

    /// <summary>A failure with <see cref="WebAuthnErrorCode.AttestationInvalid"/>.</summary>
    public static WebAuthnFailure Invalid(string detail) => new WebAuthnFailure(WebAuthnErrorCode.AttestationInvalid, detail);

    private static X509Certificate2? Load(byte[] der)
    {
        // A DER certificate starts with a SEQUENCE; refusing anything else keeps PEM and PKCS#7 out.
        if (der.Length == 0 || der[0] != 0x30)
        {
            return null;
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool HasDuplicateExtensions(X509Certificate2 certificate)
    {
        // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension. A duplicate would
        // let a lookup by OID see a different value than another verifier does.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var extension in certificate.Extensions)
        {
            if (!seen.Add(extension.Oid?.Value ?? string.Empty))
            {
                return true;
            }
        }

        return false;
    }
}
