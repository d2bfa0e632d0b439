namespace Keyward.Core.Audit;

/// <summary>A page request over the audit log, in sequence order.</summary>
public sealed record AuditQuery
{
    /// <summary>The most events one page may hold.</summary>
    public const int MaxLimit = 500;

    /// <summary>Only events recorded at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only events recorded before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only this actor's events.</summary>
    public string? Actor { get; init; }

    /// <summary>Only events of this action.</summary>
    public string? Action { get; init; }

    /// <summary>Only events with this outcome (<see cref="AuditOutcomes"/>).</summary>
    public string? Outcome { get; init; }

    /// <summary>Only events about this target.</summary>
    public string? Target { get; init; }

    /// <summary>
    /// Only events whose actor or target is this name: what one account did and what was done to it (its own events,
    /// GET /api/account/events).
    /// </summary>
    public string? Party { get; init; }

    /// <summary>Only events after this sequence number (the previous page's <see cref="AuditEventPage.Next"/>).</summary>
    public long? After { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>
    /// The newest <see cref="Limit"/> matching events instead of the oldest (still in sequence order, with no next
    /// cursor): what a tail shows first, read in one query however long the log is.
    /// </summary>
    public bool Latest { get; init; }
}
