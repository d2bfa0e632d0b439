namespace Keyward.AspNetCore;

/// <summary>
/// Every way an identity assertion can be refused. Each value has a stable snake_case code
/// (see <see cref="KeywardAssertionErrors.Code"/>) that clients rely on: never renumber, never reuse.
/// </summary>
public enum KeywardAssertionErrorCode
{
    /// <summary>The request carries no <c>Keyward-Assertion</c> header: it did not come through Keyward's proxy.</summary>
    AssertionMissing = 1,
    /// <summary>The assertion is malformed, not ES256, has a bad signature, lacks a required claim, or came in more than one header.</summary>
    AssertionInvalid,
    /// <summary>The assertion's <c>exp</c> has passed (beyond the clock skew).</summary>
    AssertionExpired,
    /// <summary>The assertion's <c>nbf</c> (or, without one, its <c>iat</c>) is in the future (beyond the clock skew).</summary>
    AssertionNotYetValid,
    /// <summary>The assertion's <c>aud</c> is not this service's route id.</summary>
    AssertionWrongAudience,
    /// <summary>The assertion's <c>iss</c> is not the configured authority.</summary>
    AssertionWrongIssuer,
    /// <summary>The assertion's <c>typ</c> header is not <c>kw-id+jwt</c>: it is a token of another kind.</summary>
    AssertionWrongType,
    /// <summary>The assertion names a signing key (<c>kid</c>) that Keyward's JWKS does not publish, even after a refresh.</summary>
    AssertionUntrustedKey,
    /// <summary>Keyward's JWKS could not be fetched and no keys are cached, so no assertion can be verified.</summary>
    KeysUnavailable,
    /// <summary>The assertion is valid but the authenticated account may not use this resource.</summary>
    AccessDenied,
}
