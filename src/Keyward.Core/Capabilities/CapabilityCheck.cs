namespace Keyward.Core.Capabilities;

/// <summary>
/// The verifier's answer: the capability, or a stable refusal code (<c>cap_invalid</c>, <c>cap_expired</c>,
/// <c>cap_scope_revoked</c>) and nothing else. Never carries the token.
/// </summary>
public readonly record struct CapabilityCheck(Capability? Capability, string? ErrorCode)
{
    /// <summary>An accepted token.</summary>
    public static CapabilityCheck Accepted(Capability capability) => new(capability, null);

    /// <summary>A refused token, with its code.</summary>
    public static CapabilityCheck Refused(string code) => new(null, code);
}
