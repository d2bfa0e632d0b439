namespace Keyward.Core.Storage;

/// <summary>
/// The scope nonce of one (operator, actor): every capability carries the value it was minted under, and revoking any
/// of the pair's scopes moves it on, so no capability minted before the revocation is accepted again.
/// </summary>
public sealed class ScopeNonceEntity : ITenantOwned
{
    public Guid OperatorId { get; set; }
    public Guid ActorId { get; set; }
    public required string TenantId { get; set; }
    public long Nonce { get; set; }
}
