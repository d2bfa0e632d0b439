namespace Keyward.Core.Vault;

/// <summary>
/// Where a secret lives, and whose it is: a tenant, a data class, the operator on whose authority it is kept, the
/// actor it is kept for, and a path. Every field is bound into the ciphertext (<see cref="VaultAad"/>), so a secret
/// read under another address fails to decrypt even if its bytes were copied there.
/// </summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="DataClass">The data class.</param>
/// <param name="OperatorId">The operator's account.</param>
/// <param name="ActorId">The actor (an enrolled agent or a service identity).</param>
/// <param name="Path">The path (<see cref="VaultPath"/>).</param>
public sealed record VaultAddress(string TenantId, VaultDataClass DataClass, Guid OperatorId, Guid ActorId, string Path);
