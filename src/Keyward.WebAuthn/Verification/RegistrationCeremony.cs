using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>What the relying party asked for when it started a registration, to check the response against.</summary>
public sealed record RegistrationCeremony
{
    /// <summary>The challenge that was issued.</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>The algorithms offered in pubKeyCredParams; null means the policy's <see cref="RelyingPartyPolicy.Algorithms"/>.</summary>
    public IReadOnlyList<CoseAlgorithm>? Algorithms { get; init; }

    /// <summary>Whether UV is required.</summary>
    public UserVerificationRequirement UserVerification { get; init; } = UserVerificationRequirement.Preferred;

    /// <summary>Whether UP is required (true except for conditional create, WebAuthn L3 §7.1 step 14).</summary>
    public bool RequireUserPresence { get; init; } = true;

    /// <summary>When certificates must be valid; null means now.</summary>
    public DateTimeOffset? VerificationTime { get; init; }
}
