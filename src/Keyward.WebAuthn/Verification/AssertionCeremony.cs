namespace Keyward.WebAuthn;

/// <summary>
/// What the relying party asked for when it started a sign-in. There is no switch for user presence: WebAuthn L3
/// §7.2 step 16 requires UP on every assertion (only registration may skip it, for conditional create).
/// </summary>
public sealed record AssertionCeremony
{
    /// <summary>The challenge that was issued.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>Whether UV is required.</summary>
    public UserVerificationRequirement UserVerification { get; init; } = UserVerificationRequirement.Preferred;

    /// <summary>The allowCredentials ids sent, when the user was identified first; empty for discoverable sign-in.</summary>
    public IReadOnlyList<byte[]> AllowCredentials { get; init; } = [];

    /// <summary>
    /// True when the user was identified before the ceremony (a username was given). When false, the response
    /// must carry a user handle (WebAuthn L3 §7.2 step 6).
    /// </summary>
    public bool UserIdentified { get; init; }
}
