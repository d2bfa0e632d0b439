namespace Keyward.Core.Capabilities;

/// <summary>
/// What one verified capability token grants: one <see cref="Operation"/> on one data class under one path, for one
/// actor, on one operator's authority, under one scope as it stood (its nonce) when the token was minted. The vault
/// endpoint compares the class, operation, actor and path with the request; the verifier has already checked the
/// signature, the token type, the expiry and that the scope still stands with that nonce.
/// </summary>
/// <param name="TokenId">The token's id (<c>jti</c>), for the audit log.</param>
/// <param name="TenantId">The tenant the scope belongs to.</param>
/// <param name="OperatorId">The account on whose authority the scope was granted.</param>
/// <param name="ActorId">The actor the token was minted for (an agent's machine id or a service identity's id).</param>
/// <param name="ActorKind">Whether the actor is an enrolled agent or a service identity.</param>
/// <param name="Operation">One of <see cref="CapabilityOperations"/>.</param>
/// <param name="DataClass">A data class name (<c>Keyward.Core.Vault.VaultDataClass.Name</c>).</param>
/// <param name="Path">The exact path (or, for <c>list</c>, the prefix) the token is for.</param>
/// <param name="ScopeId">The scope that allowed the mint.</param>
/// <param name="ScopeNonce">The per-(operator, actor) scope nonce at mint time; a revocation moves it on.</param>
/// <param name="ExpiresAt">When the token stops being accepted.</param>
public sealed record Capability(
    Guid TokenId,
    string TenantId,
    Guid OperatorId,
    Guid ActorId,
    CapabilityActorKind ActorKind,
    string Operation,
    string DataClass,
    string Path,
    Guid ScopeId,
    long ScopeNonce,
    DateTimeOffset ExpiresAt);
