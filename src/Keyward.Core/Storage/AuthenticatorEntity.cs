namespace Keyward.Core.Storage;

/// <summary>A registered WebAuthn credential (the credential record).</summary>
public sealed class AuthenticatorEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid AccountId { get; set; }
    public required byte[] CredentialId { get; set; }
    public required byte[] PublicKey { get; set; }
    public required string Name { get; set; }
    public long SignCount { get; set; }
    public bool BackupEligible { get; set; }
    public bool BackedUp { get; set; }
    public bool UserVerifiedAtRegistration { get; set; }
    public required string Format { get; set; }
    public required byte[] Aaguid { get; set; }
    public required string Transports { get; set; }
    public long CreatedAt { get; set; }
    public long? LastUsedAt { get; set; }
}
