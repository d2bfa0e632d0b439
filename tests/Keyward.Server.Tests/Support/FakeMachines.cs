using System.Collections.Concurrent;
using Keyward.Server.Support;

namespace Keyward.Server.Tests.Support;

/// <summary>The test double of the agent plane's machines: a machine exists when a test adds it.</summary>
internal sealed class FakeMachines : IMachinePolicy
{
    private readonly ConcurrentDictionary<Guid, MachineAccess> _machines = new();

    /// <summary>Adds a machine with its policy; returns its id.</summary>
    public Guid Add(bool unattendedAllowed = false, IReadOnlyList<Guid>? accounts = null, IReadOnlyList<string>? roles = null)
    {
        var id = Guid.NewGuid();
        _machines[id] = new MachineAccess(id, "machine-" + id.ToString()[..8], unattendedAllowed, accounts ?? [], roles ?? []);
        return id;
    }

    public Task<MachineAccess?> FindAsync(Guid machineId, CancellationToken cancellationToken) =>
        Task.FromResult(_machines.TryGetValue(machineId, out var machine) ? machine : null);

    public Task<IReadOnlyList<MachineAccess>> ListAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<MachineAccess>>([.. _machines.Values.Take(limit)]);
}
