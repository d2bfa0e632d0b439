namespace Keyward.Core.Storage;

// Times are Unix milliseconds (long) so every comparison runs in SQL on both SQLite and PostgreSQL.
// Every scoped table carries TenantId (a default tenant exists), so tenancy can be enforced later without a rewrite.

/// <summary>A tenant. One, <see cref="Tenants.Default"/>, exists from the first start.</summary>
public sealed class TenantEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A person who signs in with one or more authenticators.</summary>
public sealed class AccountEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public required byte[] UserHandle { get; set; }
    public long CreatedAt { get; set; }
}

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

/// <summary>A single-use invite (<c>kwi_</c>), stored as its hash.</summary>
public sealed class InviteEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string AccountName { get; set; }
    public required string Role { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public Guid? CreatedBy { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>The first-start setup code, stored as its hash.</summary>
public sealed class SetupCodeEntity
{
    public Guid Id { get; set; }
    public required byte[] CodeHash { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A sign-in session (<c>kws_</c>), stored as its hash.</summary>
public sealed class SessionEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid AccountId { get; set; }
    public Guid AuthenticatorId { get; set; }
    public bool UserVerified { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long LastSeenAt { get; set; }
    public long? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? ClientAddress { get; set; }
}

/// <summary>The server half of a WebAuthn ceremony between options and response; consumed exactly once.</summary>
public sealed class CeremonyEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required string Kind { get; set; }
    public required byte[] Challenge { get; set; }
    public required string State { get; set; }
    public long ExpiresAt { get; set; }
}

/// <summary>
/// One audit event: a leaf of the Merkle tree (RFC 6962). <see cref="LeafHash"/> = SHA-256(0x00 ‖ canonical bytes);
/// see docs/audit.md for the canonical encoding. Sequence numbers start at 0 and have no gaps.
/// </summary>
public sealed class AuditEventEntity
{
    public long Sequence { get; set; }
    public required string TenantId { get; set; }
    public long Time { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public required string Outcome { get; set; }
    public string? ClientAddress { get; set; }
    public required string Details { get; set; }
    public required byte[] LeafHash { get; set; }
}

/// <summary>The hash of a complete subtree: level k, index i covers leaves [i·2^k, (i+1)·2^k).</summary>
public sealed class AuditNodeEntity
{
    public int Level { get; set; }
    public long Index { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A signed tree head: the tree's size and root at a time, signed with the audit key.</summary>
public sealed class AuditTreeHeadEntity
{
    public long TreeSize { get; set; }
    public required byte[] RootHash { get; set; }
    public long Timestamp { get; set; }
    public required string KeyId { get; set; }
    public required byte[] Signature { get; set; }
}

/// <summary>A single-use WebSocket upgrade ticket (<c>kwt_</c>), stored as its hash.</summary>
public sealed class WebSocketTicketEntity
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid AccountId { get; set; }
    public Guid SessionId { get; set; }
    public required string RouteId { get; set; }
    public string? Origin { get; set; }
    public int UsesLeft { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
}
