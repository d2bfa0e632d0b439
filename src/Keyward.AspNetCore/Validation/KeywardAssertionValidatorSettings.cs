namespace Keyward.AspNetCore;

/// <summary>What a verifier checks an assertion against, taken from validated options.</summary>
internal sealed record KeywardAssertionValidatorSettings(
    string Issuer,
    string Audience,
    TimeSpan ClockSkew,
    TimeSpan MaxLifetime,
    TimeProvider TimeProvider,
    string AuthenticationType);
