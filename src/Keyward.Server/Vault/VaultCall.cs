using Keyward.Core.Capabilities;
using Keyward.Core.Vault;

namespace Keyward.Server.Vault;

/// <summary>A vault request that passed <see cref="VaultGate"/>: its verified capability and the address it acts on.</summary>
/// <param name="Capability">The verified capability, matched with the endpoint's class, operation, actor and path.</param>
/// <param name="Address">The secret's address (for a list: its owner and class, with the prefix as path).</param>
internal sealed record VaultCall(Capability Capability, VaultAddress Address)
{
    /// <summary>How the actor appears in the audit log: by the id the capability carries, never by what it claims.</summary>
    public string AuditActor => VaultGate.AuditActor(Capability);
}
