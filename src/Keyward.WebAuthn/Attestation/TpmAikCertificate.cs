using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Keyward.WebAuthn.Attestation;

/// <summary>The TPM attestation identity key certificate requirements (WebAuthn L3 §8.3.1).</summary>
internal static class TpmAikCertificate
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string ExtendedKeyUsageOid = "2.5.29.37";
    private const string AikCertificateUsage = "2.23.133.8.3"; // tcg-kp-AIKCertificate
    private const string ManufacturerOid = "2.23.133.2.1"; // tcg-at-tpmManufacturer
    private const string ModelOid = "2.23.133.2.2"; // tcg-at-tpmModel
    private const string VersionOid = "2.23.133.2.3"; // tcg-at-tpmVersion

    /// <summary>A failure unless the certificate meets every §8.3.1 requirement.</summary>
    public static WebAuthnFailure? Check(X509Certificate2 certificate)
    {
        if (AttestationCertificates.RequireVersion3(certificate) is { } versionFailure)
        {
            return versionFailure;
        }

        // §8.3.1: the subject is empty (an empty SEQUENCE); the TPM's identity is in the SAN instead.
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual((ReadOnlySpan<byte>)[0x30, 0x00]))
        {
            return AttestationCertificates.Invalid("the AIK certificate subject must be empty");
        }

        // RFC 5280 §4.2.1.6: with an empty subject the SAN extension MUST be critical.
        var san = certificate.Extensions[SubjectAltNameOid];
        if (san is null || !san.Critical)
        {
            return AttestationCertificates.Invalid("the AIK certificate must have a critical subject alternative name");
        }

        if (CheckTpmIdentity(san.RawData) is { } sanFailure)
        {
            return sanFailure;
        }

        var eku = certificate.Extensions[ExtendedKeyUsageOid];
        if (eku is null || !HasUsage(eku.RawData, AikCertificateUsage))
        {
            return AttestationCertificates.Invalid("the AIK certificate extended key usage lacks tcg-kp-AIKCertificate (2.23.133.8.3)");
        }

        return AttestationCertificates.RequireNotCa(certificate);
    }

    private static WebAuthnFailure? CheckTpmIdentity(byte[] san)
    {
        // TPMv2 EK profile §3.2.9: a directoryName holding tpmManufacturer, tpmModel and tpmVersion. The
        // manufacturer is "id:" and eight hex digits. Any vendor id is accepted, including id:00000000 as the W3C
        // test vector uses: whether the TPM vendor is trusted is for the chain to the trust anchors to decide.
        string? manufacturer = null, model = null, version = null;
        try
        {
            var reader = new AsnReader(san, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.RequireEnd();
            // Stryker disable once Boolean : equivalent, AsnReader matches an expected tag by class and number; it checks that the tag read is constructed itself
            var directoryName = new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true);
            while (names.HasData)
            {
                if (!names.PeekTag().HasSameClassAndValue(directoryName))
                {
                    names.ReadEncodedValue();
                    continue;
                }

                var explicitName = names.ReadSequence(directoryName);
                var rdns = explicitName.ReadSequence();
                explicitName.RequireEnd();
                while (rdns.HasData)
                {
                    var rdn = rdns.ReadSetOf(skipSortOrderValidation: true);
                    while (rdn.HasData)
                    {
                        var attribute = rdn.ReadSequence();
                        var type = attribute.ReadObjectIdentifier();
                        var tag = attribute.PeekTag();
                        var value = tag.TagClass == TagClass.Universal ? attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue) : null;
                        attribute.RequireEnd();
                        switch (type)
                        {
                            case ManufacturerOid:
                                manufacturer = value;
                                break;
                            case ModelOid:
                                model = value;
                                break;
                            case VersionOid:
                                version = value;
                                break;
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException)
        {
            // ArgumentException: a universal tag that is not a character string type.
            return AttestationCertificates.Invalid("the AIK certificate subject alternative name is malformed");
        }

        if (manufacturer is null || manufacturer.Length != 11 || !manufacturer.StartsWith("id:", StringComparison.Ordinal) || !manufacturer[3..].All(char.IsAsciiHexDigit))
        {
            return AttestationCertificates.Invalid("the AIK certificate lacks a TPM manufacturer (id:XXXXXXXX)");
        }

        return string.IsNullOrEmpty(model) || string.IsNullOrEmpty(version)
            ? AttestationCertificates.Invalid("the AIK certificate lacks the TPM model or version")
            : null;
    }

    private static bool HasUsage(byte[] eku, string usage)
    {
        // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
        try
        {
            var reader = new AsnReader(eku, AsnEncodingRules.DER);
            var usages = reader.ReadSequence();
            reader.RequireEnd();
            var found = false;
            while (usages.HasData)
            {
                found |= usages.ReadObjectIdentifier() == usage;
            }

            return found;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
