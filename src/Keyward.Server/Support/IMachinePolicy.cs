namespace Keyward.Server.Support;

/// <summary>
/// What the support slice needs to know about an enrolled machine: whether it exists, whether its enroll policy allows
/// unattended access, and who may join. <see cref="MachineTable"/> reads it from the <c>machines</c> table.
/// </summary>
internal interface IMachinePolicy
{
    /// <summary>The machine's access policy, or null when no live (enrolled, not deleted) machine has that id.</summary>
    Task<MachineAccess?> FindAsync(Guid machineId, CancellationToken cancellationToken);

    /// <summary>
    /// The live machines' access policies (those <see cref="FindAsync"/> would answer), oldest first, at most
    /// <paramref name="limit"/>; the caller filters them with <see cref="MachineAccess.Allows"/>.
    /// </summary>
    Task<IReadOnlyList<MachineAccess>> ListAsync(int limit, CancellationToken cancellationToken);
}
