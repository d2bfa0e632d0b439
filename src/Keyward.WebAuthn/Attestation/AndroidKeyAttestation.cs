using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>
/// fmt "android-key" (WebAuthn L3 §8.4): Android Keystore attests the credential key in the leaf certificate,
/// whose key description extension carries clientDataHash as the attestation challenge.
/// </summary>
/// <remarks>
/// origin and purpose are read from the union of teeEnforced and softwareEnforced (the §8.4 default for a
/// relying party that does not insist on TEE-only keys). Each list that states an origin must say
/// KM_ORIGIN_GENERATED and each that states purposes must include KM_PURPOSE_SIGN; a list that states neither is
/// not held against the response, because the W3C §16 test vector leaves both lists empty. Real Keystore
/// certificates always state both; whether the certificate comes from a real Keystore is for the chain check.
/// </remarks>
internal sealed class AndroidKeyAttestation : IAttestationFormat
{
    private const string KeyDescriptionOid = "1.3.6.1.4.1.11129.2.1.17";
    private const int KmOriginGenerated = 0;
    private const int KmPurposeSign = 2;
    // Stryker disable once Boolean : equivalent, AsnReader matches an expected tag by class and number; it checks that the tag read is constructed itself
    private static readonly Asn1Tag PurposeTag = new(TagClass.ContextSpecific, 1, isConstructed: true);
    // Stryker disable once Boolean : equivalent, AsnReader matches an expected tag by class and number; it checks that the tag read is constructed itself
    private static readonly Asn1Tag AllApplicationsTag = new(TagClass.ContextSpecific, 600, isConstructed: true);
    // Stryker disable once Boolean : equivalent, AsnReader matches an expected tag by class and number; it checks that the tag read is constructed itself
    private static readonly Asn1Tag OriginTag = new(TagClass.ContextSpecific, 702, isConstructed: true);

    public string Format => "android-key";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input)
    {
        var statement = input.Statement;
        if (statement.Kind != CborKind.Map)
        {
            return Invalid("attStmt is not a map");
        }

        var alg = AttestationCertificates.ReadAlgorithm(statement, allowSha1: false);
        if (!alg.Succeeded)
        {
            return alg.Failure;
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

        var result = Verify(input, alg.Value, sig, x5c.Value);
        if (!result.Succeeded)
        {
            AttestationCertificates.Dispose(x5c.Value);
        }

        return result;
    }

    private static WebAuthnResult<AttestationVerdict> Verify(AttestationInput input, CoseAlgorithm alg, byte[] sig, X509Certificate2[] x5c)
    {
        var leaf = x5c[0];
        if (!CertificateSignature.Verify(leaf, alg, input.SignedBytes(), sig))
        {
            return Invalid("the attestation signature does not verify with the attestation certificate");
        }

        // The leaf certifies the credential key itself.
        if (!CertificateSignature.PublicKeyMatches(leaf, input.Credential.PublicKey))
        {
            return Invalid("the attestation certificate key is not the credential public key");
        }

        var extension = leaf.Extensions[KeyDescriptionOid];
        if (extension is null)
        {
            return Invalid("the attestation certificate lacks the key description extension");
        }

        var failure = CheckKeyDescription(extension.RawData, input.ClientDataHash);
        return failure is null
            ? WebAuthnResult<AttestationVerdict>.Ok(new AttestationVerdict(AttestationType.Basic, x5c))
            : Invalid(failure);
    }

    /// <summary>Null when the key description satisfies §8.4; otherwise why not.</summary>
    // Stryker disable String : the reasons are failure details; any non-null reason fails the same way
    private static string? CheckKeyDescription(byte[] der, byte[] clientDataHash)
    {
        AuthorizationList software, tee;
        byte[] challenge;
        try
        {
            // KeyDescription ::= SEQUENCE { attestationVersion INTEGER, attestationSecurityLevel ENUMERATED,
            //   keymasterVersion INTEGER, keymasterSecurityLevel ENUMERATED, attestationChallenge OCTET STRING,
            //   uniqueId OCTET STRING, softwareEnforced AuthorizationList, teeEnforced AuthorizationList }
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var description = reader.ReadSequence();
            reader.RequireEnd();
            description.ReadIntegerBytes();
            description.ReadEnumeratedBytes();
            description.ReadIntegerBytes();
            description.ReadEnumeratedBytes();
            challenge = description.ReadOctetString();
            description.ReadOctetString();
            software = ReadAuthorizationList(description.ReadSequence());
            tee = ReadAuthorizationList(description.ReadSequence());
        }
        catch (AsnContentException)
        {
            return "the key description extension is malformed";
        }

        if (!challenge.AsSpan().SequenceEqual(clientDataHash))
        {
            return "the key description attestationChallenge is not clientDataHash";
        }

        // The credential must be scoped to the RP ID, never usable by every application.
        if (software.AllApplications || tee.AllApplications)
        {
            return "the key description has allApplications set";
        }

        if ((software.Origin is { } so && so != KmOriginGenerated) || (tee.Origin is { } to && to != KmOriginGenerated))
        {
            return "the key was not generated in the keystore (origin is not KM_ORIGIN_GENERATED)";
        }

        if ((software.Purposes is { } sp && !sp.Contains(KmPurposeSign)) || (tee.Purposes is { } tp && !tp.Contains(KmPurposeSign)))
        {
            return "the key's purposes do not include KM_PURPOSE_SIGN";
        }

        return null;
    }

    // Stryker restore String
    private static AuthorizationList ReadAuthorizationList(AsnReader list)
    {
        // AuthorizationList ::= SEQUENCE { purpose [1] EXPLICIT SET OF INTEGER OPTIONAL, ...,
        //   allApplications [600] EXPLICIT NULL OPTIONAL, ..., origin [702] EXPLICIT INTEGER OPTIONAL, ... }
        // Other fields are skipped; a field given twice is malformed.
        var result = new AuthorizationList();
        while (list.HasData)
        {
            var tag = list.PeekTag();
            if (tag.HasSameClassAndValue(PurposeTag))
            {
                var explicitSet = ReadExplicit(list, PurposeTag, result.Purposes is not null);
                var set = explicitSet.ReadSetOf(skipSortOrderValidation: true);
                explicitSet.RequireEnd();
                var purposes = new List<BigInteger>();
                while (set.HasData)
                {
                    purposes.Add(set.ReadInteger());
                }

                result.Purposes = purposes;
            }
            else if (tag.HasSameClassAndValue(AllApplicationsTag))
            {
                var explicitNull = ReadExplicit(list, AllApplicationsTag, result.AllApplications);
                explicitNull.ReadNull();
                explicitNull.RequireEnd();
                result.AllApplications = true;
            }
            else if (tag.HasSameClassAndValue(OriginTag))
            {
                var explicitInteger = ReadExplicit(list, OriginTag, result.Origin is not null);
                result.Origin = explicitInteger.ReadInteger();
                explicitInteger.RequireEnd();
            }
            else
            {
                list.ReadEncodedValue();
            }
        }

        return result;
    }

    private static AsnReader ReadExplicit(AsnReader list, Asn1Tag tag, bool seenBefore) =>
        seenBefore ? throw new AsnContentException("duplicate authorization list field") : list.ReadSequence(tag);

    private static WebAuthnResult<AttestationVerdict> Invalid(string detail) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, detail);

    /// <summary>The fields of an AuthorizationList that §8.4 examines.</summary>
    private sealed class AuthorizationList
    {
        public List<BigInteger>? Purposes { get; set; }

        public bool AllApplications { get; set; }

        public BigInteger? Origin { get; set; }
    }
}
