namespace Keyward.Core.Vault;

/// <summary>
/// The seam between the vault plane and approvals (issue 12, contract12): reading a secret of a class marked
/// <see cref="VaultDataClass.Sensitive"/> needs an approved, unspent <c>read_sensitive_secret</c> operation for exactly
/// that operator, actor, data class and path. The approvals slice implements it; while none is registered, every
/// sensitive read is refused with <c>approval_required</c>.
/// </summary>
public interface ISensitiveReadApprovals
{
    /// <summary>
    /// Spends one approved read of <paramref name="address"/> and returns true, or returns false when none is
    /// approved and unspent. Spending is atomic: two reads racing for one approval get one true.
    /// </summary>
    ValueTask<bool> TrySpendAsync(VaultAddress address, CancellationToken cancellationToken = default);
}
