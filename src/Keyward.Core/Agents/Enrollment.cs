namespace Keyward.Core.Agents;

/// <summary>The outcome of enrolling with a token: the new machine and its key (shown once), or why not.</summary>
/// <param name="Machine">The machine made, when this caller consumed the token.</param>
/// <param name="AgentKey">Its agent key <c>kwa_</c>: returned once, stored only as its hash.</param>
/// <param name="Failure">Why not.</param>
public sealed record Enrollment(MachineInfo? Machine, string? AgentKey, EnrollFailure? Failure)
{
    /// <summary>True when this caller consumed the token and the machine exists.</summary>
    public bool Succeeded => Machine is not null;

    /// <inheritdoc/>
    public override string ToString() => Succeeded ? $"enrolled machine {Machine!.Id}" : $"enrollment refused: {Failure}";
}
