using System.Security.Cryptography;

namespace Keyward.WebAuthn;

/// <summary>
/// The individual checks of WebAuthn L3 §7.1 (registration) and §7.2 (authentication), each a small named unit
/// with its own negative test. A step returns null when it passes.
/// </summary>
internal static class CeremonySteps
{
    public const string RegistrationType = "webauthn.create";
    public const string AssertionType = "webauthn.get";

    /// <summary>§7.1 step 7 / §7.2 step 11: clientData.type.</summary>
    public static WebAuthnFailure? VerifyType(CollectedClientData clientData, string expected) =>
        string.Equals(clientData.Type, expected, StringComparison.Ordinal)
            ? null
            : new WebAuthnFailure(WebAuthnErrorCode.ClientDataTypeMismatch, $"expected {expected}");

    /// <summary>§7.1 step 8 / §7.2 step 12: clientData.challenge equals the issued challenge.</summary>
    public static WebAuthnFailure? VerifyChallenge(CollectedClientData clientData, byte[] expected)
    {
        // Browsers always write base64url here; a challenge is not secret, but compare in fixed time anyway.
        if (!Base64Url.TryDecode(clientData.Challenge, out var actual) || !CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return new WebAuthnFailure(WebAuthnErrorCode.ChallengeMismatch);
        }

        return null;
    }

    /// <summary>§7.1 step 9 / §7.2 step 13: clientData.origin is an expected origin.</summary>
    public static WebAuthnFailure? VerifyOrigin(CollectedClientData clientData, IReadOnlyList<string> allowed)
    {
        foreach (var origin in allowed)
        {
            if (string.Equals(origin, clientData.Origin, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return new WebAuthnFailure(WebAuthnErrorCode.OriginMismatch, $"got \"{Truncate(clientData.Origin)}\"");
    }

    /// <summary>§7.1 step 10 / §7.2 step 14: crossOrigin and topOrigin are allowed.</summary>
    public static WebAuthnFailure? VerifyCrossOrigin(CollectedClientData clientData, RelyingPartyPolicy policy)
    {
        if (clientData.CrossOrigin && !policy.AllowCrossOrigin)
        {
            return new WebAuthnFailure(WebAuthnErrorCode.CrossOriginNotAllowed, "crossOrigin is true");
        }

        if (clientData.TopOrigin is { } top)
        {
            if (!clientData.CrossOrigin && !policy.AllowCrossOrigin)
            {
                return new WebAuthnFailure(WebAuthnErrorCode.CrossOriginNotAllowed, "topOrigin is present");
            }

            foreach (var allowed in policy.AllowedTopOrigins)
            {
                if (string.Equals(allowed, top, StringComparison.Ordinal))
                {
                    return null;
                }
            }

            return new WebAuthnFailure(WebAuthnErrorCode.CrossOriginNotAllowed, $"topOrigin \"{Truncate(top)}\" is not allowed");
        }

        return null;
    }

    /// <summary>
    /// Legacy Level 2 tokenBinding. Keyward does not use token binding; a status of "present" or "supported" is
    /// harmless and ignored, the string form ("unused", sent by old Firefox) is ignored, any other status is refused
    /// as py_webauthn and fido2-net-lib do.
    /// </summary>
    public static WebAuthnFailure? VerifyTokenBinding(CollectedClientData clientData) =>
        clientData.TokenBindingStatus is null or "present" or "supported"
            ? null
            : new WebAuthnFailure(WebAuthnErrorCode.TokenBindingInvalid, $"status \"{Truncate(clientData.TokenBindingStatus)}\"");

    /// <summary>§7.1 step 13 / §7.2 step 15: rpIdHash is SHA-256 of the RP ID.</summary>
    public static WebAuthnFailure? VerifyRpIdHash(AuthenticatorData data, byte[] rpIdHash) =>
        CryptographicOperations.FixedTimeEquals(data.RpIdHash, rpIdHash) ? null : new WebAuthnFailure(WebAuthnErrorCode.RpIdMismatch);

    /// <summary>§7.1 step 14 / §7.2 step 16: UP.</summary>
    public static WebAuthnFailure? VerifyUserPresence(AuthenticatorData data, bool required) =>
        !required || data.UserPresent ? null : new WebAuthnFailure(WebAuthnErrorCode.UserPresenceMissing);

    /// <summary>§7.1 step 15 / §7.2 step 17: UV when required.</summary>
    public static WebAuthnFailure? VerifyUserVerification(AuthenticatorData data, UserVerificationRequirement requirement) =>
        requirement != UserVerificationRequirement.Required || data.UserVerified ? null : new WebAuthnFailure(WebAuthnErrorCode.UserVerificationMissing);

    /// <summary>§7.1 step 16 / §7.2 step 18: BS requires BE; BE never changes for a credential.</summary>
    public static WebAuthnFailure? VerifyBackupFlags(AuthenticatorData data, bool? storedBackupEligible)
    {
        if (data.BackedUp && !data.BackupEligible)
        {
            return new WebAuthnFailure(WebAuthnErrorCode.BackupStateInvalid, "BS is set but BE is not");
        }

        if (storedBackupEligible is { } stored && stored != data.BackupEligible)
        {
            return new WebAuthnFailure(WebAuthnErrorCode.BackupStateInvalid, "BE differs from registration");
        }

        return null;
    }

    /// <summary>§7.2 step 22: a non-zero counter must increase. Returns the failure, or sets <paramref name="possibleClone"/>.</summary>
    public static WebAuthnFailure? VerifySignCount(uint stored, uint received, SignCountPolicy policy, out bool possibleClone)
    {
        possibleClone = (stored != 0 || received != 0) && received <= stored;
        if (possibleClone && policy == SignCountPolicy.Reject)
        {
            return new WebAuthnFailure(WebAuthnErrorCode.SignCountRegressed, $"stored {stored}, received {received}");
        }

        return null;
    }

    // Stryker disable once all : shortens a failure detail (operator text) only; no decision reads it
    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
