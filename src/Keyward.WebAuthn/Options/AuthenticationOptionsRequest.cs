namespace Keyward.WebAuthn;

/// <summary>What the caller wants from a sign-in ceremony.</summary>
public sealed record AuthenticationOptionsRequest
{
    /// <summary>The identified user's credentials; empty for discoverable (usernameless) sign-in.</summary>
    public IReadOnlyList<CredentialDescriptor> AllowCredentials { get; init; } = [];

    /// <summary>User verification requirement.</summary>
    public UserVerificationRequirement UserVerification { get; init; } = UserVerificationRequirement.Preferred;

    /// <summary>Client hints ("security-key", "client-device", "hybrid").</summary>
    public IReadOnlyList<string> Hints { get; init; } = [];
}
