namespace Keyward.Core.Support;

/// <summary>What opening a support session needs.</summary>
public sealed record SupportSessionRequest
{
    /// <summary>The id the caller made first (so the audit record can name it before it exists).</summary>
    public required Guid Id { get; init; }

    /// <summary>The technician's account.</summary>
    public required Guid AccountId { get; init; }

    /// <summary>The technician's login session.</summary>
    public required Guid LoginSessionId { get; init; }

    /// <summary>The enrolled machine, or null for an ad-hoc session.</summary>
    public Guid? MachineId { get; init; }

    /// <summary>Whether the person at the machine must consent.</summary>
    public required bool Attended { get; init; }

    /// <summary>Why (1 to 500 characters; checked by the caller).</summary>
    public required string Reason { get; init; }

    /// <summary>How long it may stay pending before the reaper ends it.</summary>
    public required TimeSpan PendingLifetime { get; init; }
}
