using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Attestation;

/// <summary>fmt "packed" (WebAuthn L3 §8.2): full attestation with an x5c chain, or self attestation.</summary>
internal sealed class PackedAttestation : IAttestationFormat
{
    public string Format => "packed";

    public WebAuthnResult<AttestationVerdict> Verify(AttestationInput input)
    {
        var statement = input.Statement;
        if (statement.Kind != CborKind.Map)
        {
            return Invalid("attStmt is not a map");
        }

        // ECDAA was removed in WebAuthn L2; a statement that still claims it is refused rather than half-checked.
        if (statement.TryGet("ecdaaKeyId", out _))
        {
            return Invalid("ECDAA attestation (ecdaaKeyId) is not supported");
        }

        if (!statement.TryGetBytes("sig", out var sig))
        {
            return Invalid("attStmt.sig is missing or not a byte string");
        }

        if (!statement.TryGet("x5c", out _))
        {
            return VerifySelf(input, sig);
        }

        var alg = AttestationCertificates.ReadAlgorithm(statement, allowSha1: false);
        if (!alg.Succeeded)
        {
            return alg.Failure;
        }

        var x5c = AttestationCertificates.ReadX5c(statement);
        if (!x5c.Succeeded)
        {
            return x5c.Failure;
        }

        var result = VerifyFull(input, alg.Value, sig, x5c.Value);
        if (!result.Succeeded)
        {
            AttestationCertificates.Dispose(x5c.Value);
        }

        return result;
    }

    private static WebAuthnResult<AttestationVerdict> VerifySelf(AttestationInput input, byte[] sig)
    {
        // §8.2 step 3: alg must be the credential key's algorithm, and the credential key signs.
        var key = input.Credential.PublicKey;
        if (!input.Statement.TryGetInteger("alg", out var alg))
        {
            return Invalid("attStmt.alg is missing or not an integer");
        }

        if (alg != (long)key.Algorithm)
        {
            return Invalid($"self attestation alg {alg} differs from the credential key's algorithm {(long)key.Algorithm}");
        }

        return key.Verify(input.SignedBytes(), sig)
            ? WebAuthnResult<AttestationVerdict>.Ok(AttestationVerdict.Self)
            : Invalid("the self attestation signature does not verify with the credential public key");
    }

    private static WebAuthnResult<AttestationVerdict> VerifyFull(AttestationInput input, CoseAlgorithm alg, byte[] sig, X509Certificate2[] x5c)
    {
        // §8.2 step 2: sig over authenticatorData ‖ clientDataHash with the attestation certificate's key under alg.
        var leaf = x5c[0];
        if (!CertificateSignature.Verify(leaf, alg, input.SignedBytes(), sig))
        {
            return Invalid("the attestation signature does not verify with the attestation certificate");
        }

        if (CheckCertificate(leaf) is { } failure)
        {
            return failure;
        }

        if (AttestationCertificates.CheckAaguidExtension(leaf, input.Credential.Aaguid) is { } aaguidFailure)
        {
            return aaguidFailure;
        }

        // Basic and AttCA cannot be told apart without metadata; Basic is what other verifiers report.
        return WebAuthnResult<AttestationVerdict>.Ok(new AttestationVerdict(AttestationType.Basic, x5c));
    }

    /// <summary>The packed attestation certificate requirements of WebAuthn L3 §8.2.1.</summary>
    private static WebAuthnFailure? CheckCertificate(X509Certificate2 certificate)
    {
        if (AttestationCertificates.RequireVersion3(certificate) is { } versionFailure)
        {
            return versionFailure;
        }

        if (CheckSubject(certificate.SubjectName) is { } subjectFailure)
        {
            return subjectFailure;
        }

        // §8.2.1: the AAGUID extension, when present, MUST NOT be critical.
        if (certificate.Extensions[AttestationCertificates.AaguidExtensionOid] is { Critical: true })
        {
            return AttestationCertificates.Invalid("the certificate's AAGUID extension is marked critical");
        }

        return AttestationCertificates.RequireNotCa(certificate);
    }

    private static WebAuthnFailure? CheckSubject(X500DistinguishedName subject)
    {
        // §8.2.1: C (ISO 3166 code), O (vendor), OU = "Authenticator Attestation", CN (any string).
        string? country = null, organization = null, unit = null, commonName = null;
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var value = rdn.GetSingleElementValue();
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.6":
                    country = value;
                    break;
                case "2.5.4.10":
                    organization = value;
                    break;
                case "2.5.4.11":
                    unit = value;
                    break;
                case "2.5.4.3":
                    commonName = value;
                    break;
            }
        }

        if (country is not { Length: 2 } || !char.IsAsciiLetter(country[0]) || !char.IsAsciiLetter(country[1]))
        {
            return AttestationCertificates.Invalid("the attestation certificate subject lacks a two-letter country (C)");
        }

        if (string.IsNullOrWhiteSpace(organization) || string.IsNullOrWhiteSpace(commonName))
        {
            return AttestationCertificates.Invalid("the attestation certificate subject lacks O or CN");
        }

        return string.Equals(unit, "Authenticator Attestation", StringComparison.Ordinal)
            ? null
            : AttestationCertificates.Invalid("the attestation certificate subject OU is not \"Authenticator Attestation\"");
    }

    private static WebAuthnResult<AttestationVerdict> Invalid(string detail) =>
        WebAuthnResult<AttestationVerdict>.Fail(WebAuthnErrorCode.AttestationInvalid, detail);
}
