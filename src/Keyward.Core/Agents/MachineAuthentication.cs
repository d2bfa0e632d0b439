namespace Keyward.Core.Agents;

/// <summary>The outcome of checking an agent key: its machine, or why not.</summary>
/// <param name="Machine">The machine the key belongs to.</param>
/// <param name="Failure">Why not.</param>
/// <param name="RefusedMachineId">For a revoked or deleted key: whose it was (for the audit record).</param>
public readonly record struct MachineAuthentication(MachineInfo? Machine, AgentKeyFailure? Failure, Guid? RefusedMachineId = null)
{
    /// <summary>True when the key is live.</summary>
    public bool Succeeded => Machine is not null;
}
