namespace Keyward.WebAuthn;

/// <summary>What the caller wants from a registration ceremony.</summary>
public sealed record RegistrationOptionsRequest
{
    /// <summary>The account name (user.name), e.g. an email or login.</summary>
    public required string UserName { get; init; }

    /// <summary>The display name (user.displayName); defaults to <see cref="UserName"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The account's stable user handle (user.id, at most 64 bytes, no personal data); null creates a random 32-byte one.</summary>
    public byte[]? UserHandle { get; init; }

    /// <summary>Credentials the account already has, so the same authenticator is not registered twice.</summary>
    public IReadOnlyList<CredentialDescriptor> ExcludeCredentials { get; init; } = [];

    /// <summary>User verification requirement.</summary>
    public UserVerificationRequirement UserVerification { get; init; } = UserVerificationRequirement.Preferred;

    /// <summary>Discoverable credential preference.</summary>
    public ResidentKeyRequirement ResidentKey { get; init; } = ResidentKeyRequirement.Preferred;

    /// <summary>Attestation conveyance.</summary>
    public AttestationConveyance Attestation { get; init; } = AttestationConveyance.None;

    /// <summary>Client hints ("security-key", "client-device", "hybrid").</summary>
    public IReadOnlyList<string> Hints { get; init; } = [];
}
