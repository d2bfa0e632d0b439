using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>A verified registration: what to store and what the attestation showed.</summary>
public sealed record RegistrationResult
{
    /// <summary>The attestation statement format.</summary>
    public required string Format { get; init; }

    /// <summary>The attestation type the statement proved.</summary>
    public required AttestationType AttestationType { get; init; }

    /// <summary>True when the attestation chain reached a configured trust anchor.</summary>
    public required bool AttestationTrusted { get; init; }

    /// <summary>The attestation certificates, leaf first (empty for none and self).</summary>
    public required IReadOnlyList<X509Certificate2> TrustPath { get; init; }

    /// <summary>The new credential's id.</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The credential public key.</summary>
    public required CosePublicKey PublicKey { get; init; }

    /// <summary>The authenticator model's AAGUID (16 bytes).</summary>
    public required byte[] Aaguid { get; init; }

    /// <summary>The initial signature counter.</summary>
    public required uint SignCount { get; init; }

    /// <summary>The authenticator data flags.</summary>
    public required AuthenticatorFlags Flags { get; init; }

    /// <summary>Transports the client reported (hints for allowCredentials).</summary>
    public IReadOnlyList<string> Transports { get; init; } = [];

    /// <summary>UV was set.</summary>
    public bool UserVerified => (Flags & AuthenticatorFlags.UserVerified) != 0;

    /// <summary>BE was set: a multi-device (syncable) credential.</summary>
    public bool BackupEligible => (Flags & AuthenticatorFlags.BackupEligible) != 0;

    /// <summary>BS was set.</summary>
    public bool BackedUp => (Flags & AuthenticatorFlags.BackupState) != 0;
}
