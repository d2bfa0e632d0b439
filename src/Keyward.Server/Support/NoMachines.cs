namespace Keyward.Server.Support;

/// <summary>The <see cref="IMachinePolicy"/> until the agent plane provides one: no machine exists.</summary>
internal sealed class NoMachines : IMachinePolicy
{
    public Task<MachineAccess?> FindAsync(Guid machineId, CancellationToken cancellationToken) => Task.FromResult<MachineAccess?>(null);
}
