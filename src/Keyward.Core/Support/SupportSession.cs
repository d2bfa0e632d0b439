namespace Keyward.Core.Support;

/// <summary>A support session as the services hand it out.</summary>
/// <param name="Id">Its id.</param>
/// <param name="MachineId">The enrolled machine, or null (ad hoc).</param>
/// <param name="AccountId">The technician who opened it.</param>
/// <param name="LoginSessionId">The technician's login session that opened it.</param>
/// <param name="Attended">Whether the person at the machine must consent.</param>
/// <param name="Reason">Why, as the technician wrote it (shown to the person at the machine).</param>
/// <param name="State">One of <see cref="SupportSessionStates"/>.</param>
/// <param name="CreatedAt">When it was opened.</param>
/// <param name="ExpiresAt">When the reaper ends it, if nothing else does first.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
/// <param name="EndedReason">Why it ended (<see cref="SupportEndReasons"/>).</param>
public sealed record SupportSession(
    Guid Id, Guid? MachineId, Guid AccountId, Guid LoginSessionId, bool Attended, string Reason, string State,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? EndedAt, string? EndedReason)
{
    /// <summary>True while it has not ended.</summary>
    public bool IsOpen => EndedAt is null;
}
