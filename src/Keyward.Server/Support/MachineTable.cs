using Keyward.Core.Agents;
using Keyward.Core.Storage;

namespace Keyward.Server.Support;

/// <summary>
/// The machines' access policies, read from the <c>machines</c> table: a machine counts when it exists, is not
/// deleted and its key is not revoked; its enroll policy says whether unattended access is allowed and who may join
/// (accounts, roles; admins when it lists no one).
/// </summary>
internal sealed class MachineTable(MachineService machines) : IMachinePolicy
{
    public async Task<MachineAccess?> FindAsync(Guid machineId, CancellationToken cancellationToken)
    {
        var machine = await machines.FindAsync(machineId, Tenants.Default, cancellationToken).ConfigureAwait(false);
        if (machine is null || machine.KeyRevokedAt is not null)
        {
            return null;
        }

        return Access(machine);
    }

    public async Task<IReadOnlyList<MachineAccess>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var list = await machines.ListAsync(Tenants.Default, limit, cancellationToken).ConfigureAwait(false);
        return [.. list.Where(m => m.KeyRevokedAt is null).Select(Access)];
    }

    private static MachineAccess Access(MachineInfo machine) =>
        new(machine.Id, machine.Label, machine.Policy == AgentPolicies.Unattended, machine.Joiners.Accounts, machine.Joiners.Roles, machine.LastSeenAt);
}
