using System.Formats.Asn1;
using System.Security.Cryptography;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn;

public sealed partial class RelyingParty
{
    /// <summary>Verifies a registration response (WebAuthn L3 §7.1). The caller then checks the credential id is not registered yet (step 26) and stores the record.</summary>
    public WebAuthnResult<RegistrationResult> VerifyRegistration(RegistrationCredential credential, RegistrationCeremony ceremony)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(ceremony);

        // Steps 5–10: client data.
        var clientData = VerifyClientData(credential.ClientDataJson, CeremonySteps.RegistrationType, ceremony.Challenge);
        if (!clientData.Succeeded)
        {
            return clientData.Failure;
        }

        // Step 11: hash of the client data.
        var clientDataHash = SHA256.HashData(credential.ClientDataJson);

        // Step 12: decode the attestation object.
        if (credential.AttestationObject.Length > Policy.MaxAttestationObjectLength)
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.MalformedCbor, $"attestationObject larger than {Policy.MaxAttestationObjectLength} bytes");
        }

        var decoded = CborDecoder.Decode(credential.AttestationObject, CborLimits.Default);
        if (!decoded.Succeeded)
        {
            return decoded.Failure;
        }

        var attestationObject = decoded.Value;
        if (attestationObject.Kind != CborKind.Map
            || !attestationObject.TryGetText("fmt", out var fmt)
            || !attestationObject.TryGet("attStmt", out var statement) || statement.Kind != CborKind.Map
            || !attestationObject.TryGetBytes("authData", out var rawAuthData))
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.MalformedCbor, "attestationObject must be a map with fmt (text), attStmt (map) and authData (bytes)");
        }

        var parsed = AuthenticatorData.Parse(rawAuthData);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        var authData = parsed.Value;
        if (authData.AttestedCredential is not { } attested)
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.AttestedCredentialDataInvalid, "AT is not set");
        }

        // Steps 13–17: rpIdHash, UP, UV, backup flags.
        var failure = CeremonySteps.VerifyRpIdHash(authData, _rpIdHash)
            ?? CeremonySteps.VerifyUserPresence(authData, ceremony.RequireUserPresence)
            ?? CeremonySteps.VerifyUserVerification(authData, ceremony.UserVerification)
            ?? CeremonySteps.VerifyBackupFlags(authData, storedBackupEligible: null)
            ?? VerifyAlgorithmOffered(attested, ceremony)
            ?? VerifyCredentialId(credential, attested);
        if (failure is not null)
        {
            return failure;
        }

        // Steps 21–22: the attestation statement.
        if (fmt == "android-safetynet")
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.AttestationFormatRefused);
        }

        if (!AttestationFormats.TryGet(fmt, out var format))
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.AttestationFormatUnsupported, $"fmt \"{(fmt.Length > 32 ? fmt[..32] : fmt)}\"");
        }

        var verificationTime = ceremony.VerificationTime ?? _time.GetUtcNow();
        WebAuthnResult<AttestationVerdict> verdict;
        bool trusted;
        try
        {
            verdict = format.Verify(new AttestationInput(statement, authData, clientDataHash, verificationTime));
            if (!verdict.Succeeded)
            {
                return verdict.Failure;
            }

            // Steps 23–24: trust.
            // Stryker disable once Equality : equivalent, AttestationChain.IsTrusted trusts no empty path either
            trusted = verdict.Value.TrustPath.Count > 0 && AttestationChain.IsTrusted(verdict.Value.TrustPath, Policy.TrustAnchors, verificationTime);
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or FormatException or ArgumentException)
        {
            // X509Certificate2 parses some fields lazily, so a corrupt certificate can surface deep inside a format.
            // One boundary here keeps the promise that malformed input is a typed failure, never an exception.
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.AttestationInvalid, $"a certificate or structure in the {fmt} statement is malformed");
        }

        if (!trusted && Policy.AttestationTrust == AttestationTrustPolicy.RequireTrusted)
        {
            return WebAuthnResult<RegistrationResult>.Fail(WebAuthnErrorCode.AttestationUntrusted, $"{fmt} attestation of type {verdict.Value.Type}");
        }

        // Stryker disable once Statement : equivalent, warms the imported-key cache only; the assertion path imports a missing key itself
        Keys.Add(attested.PublicKey);
        return WebAuthnResult<RegistrationResult>.Ok(new RegistrationResult
        {
            Format = fmt,
            AttestationType = verdict.Value.Type,
            AttestationTrusted = trusted,
            TrustPath = verdict.Value.TrustPath,
            CredentialId = attested.CredentialId,
            PublicKey = attested.PublicKey,
            Aaguid = attested.Aaguid,
            SignCount = authData.SignCount,
            Flags = authData.Flags,
            Transports = credential.Transports,
        });
    }

    /// <summary>§7.1 step 19: the credential's algorithm is one that was offered (and SHA-1 only when dangerously allowed).</summary>
    private WebAuthnFailure? VerifyAlgorithmOffered(AttestedCredentialData attested, RegistrationCeremony ceremony) =>
        VerifySha1Allowed(attested.PublicKey)
        ?? ((ceremony.Algorithms ?? Policy.Algorithms).Contains(attested.PublicKey.Algorithm)
            ? null
            : new WebAuthnFailure(WebAuthnErrorCode.AlgorithmNotAllowed, $"{attested.PublicKey.Algorithm} was not offered"));

    private WebAuthnFailure? VerifySha1Allowed(Cose.CosePublicKey key) =>
        key.Algorithm == Cose.CoseAlgorithm.RS1 && !Policy.DangerousAllowSha1
            ? new WebAuthnFailure(WebAuthnErrorCode.AlgorithmUnsupported, "RS1 (SHA-1) credential keys are refused unless DangerousAllowSha1 is set")
            : null;

    /// <summary>§7.1 step 25 and the rawId binding: the id in authData is the id the client reported.</summary>
    private static WebAuthnFailure? VerifyCredentialId(RegistrationCredential credential, AttestedCredentialData attested) =>
        attested.CredentialId.AsSpan().SequenceEqual(credential.RawId)
            ? null
            : new WebAuthnFailure(WebAuthnErrorCode.CredentialIdMismatch, "rawId differs from the credential id in authenticator data");
}
