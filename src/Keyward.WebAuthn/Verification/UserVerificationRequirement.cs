namespace Keyward.WebAuthn;

/// <summary>WebAuthn userVerification values (L3 §5.8.6).</summary>
public enum UserVerificationRequirement
{
    /// <summary>The relying party prefers UV but accepts its absence.</summary>
    Preferred = 0,
    /// <summary>UV must be set or the ceremony fails.</summary>
    Required = 1,
    /// <summary>The relying party does not want UV.</summary>
    Discouraged = 2,
}
