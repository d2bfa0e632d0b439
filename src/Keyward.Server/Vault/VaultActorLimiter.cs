using Keyward.Core.Vault;
using Keyward.Server.Capabilities;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Vault;

/// <summary>
/// The per-actor limit on the vault plane (<see cref="VaultOptions.RequestsPerActorPerMinute"/>), counted after the
/// capability is verified: each request is a scope lookup, an audit event and, for a read, a decryption; a capability
/// is reusable for its lifetime, so minting's limit alone does not bound them.
/// </summary>
internal sealed class VaultActorLimiter(IOptions<VaultOptions> options, TimeProvider time) : PerActorLimiter(time)
{
    protected override int Permits => options.Value.RequestsPerActorPerMinute;
}
