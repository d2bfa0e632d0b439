namespace Keyward.Core.Audit;

/// <summary>Audit log settings (<c>Keyward:Audit</c>).</summary>
public sealed record AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Audit";

    /// <summary>The most events written in one database transaction. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>How many events may wait to be written before callers wait for room. Default 10,000.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>How often a signed tree head is issued when the log grew. Default 5 min.</summary>
    public TimeSpan TreeHeadInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most entries in an event's details. Default 32.</summary>
    public int MaxDetails { get; init; } = 32;

    /// <summary>The longest details key or value, in characters. Default 1,000.</summary>
    public int MaxDetailLength { get; init; } = 1_000;

    /// <summary>
    /// The largest the revocation spool (<c>&lt;data&gt;/audit/revocations.spool</c>) may grow while the audit log is
    /// unavailable, in bytes. When it is full, revocations still take effect and their events are dropped (an error log
    /// line and the <c>keyward.audit.spool.events</c> metric with <c>outcome=dropped</c> say so). Default 16 MiB.
    /// </summary>
    public long SpoolMaxBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>How often a non-empty spool is tried against the audit log. Default 5 s.</summary>
    public TimeSpan SpoolDrainInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long refusals of requests without a valid credential are counted per client address before one aggregated
    /// event is written (docs/audit.md, "Unauthenticated refusals"). Default 1 min.
    /// </summary>
    public TimeSpan UnauthenticatedInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most client addresses (IPv6 grouped by /64) counted at once in an interval; refusals from further addresses
    /// share one overflow count. Default 10,000.
    /// </summary>
    public int UnauthenticatedMaxAddresses { get; init; } = 10_000;

    /// <summary>
    /// The most refused credentials (and rate limits) whose repeats are grouped at once, per client address group
    /// (docs/audit.md, "Repeated refusals"); repeats beyond it share one overflow count. Default 10,000.
    /// </summary>
    public int RepeatedRefusalsMaxKeys { get; init; } = 10_000;

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BatchSize is < 1 or > 10_000)
        {
            errors.Add("Keyward:Audit:BatchSize must be between 1 and 10000 (e.g. 512).");
        }

        if (QueueCapacity < 1 || QueueCapacity > 1_000_000)
        {
            errors.Add("Keyward:Audit:QueueCapacity must be between 1 and 1000000 (e.g. 10000).");
        }

        if (TreeHeadInterval < TimeSpan.FromSeconds(1) || TreeHeadInterval > TimeSpan.FromDays(1))
        {
            errors.Add("Keyward:Audit:TreeHeadInterval must be between 00:00:01 and 1.00:00:00 (e.g. 00:05:00).");
        }

        if (MaxDetails is < 0 or > 1_000 || MaxDetailLength is < 1 or > 100_000)
        {
            errors.Add("Keyward:Audit:MaxDetails must be between 0 and 1000 and MaxDetailLength between 1 and 100000.");
        }

        if (SpoolMaxBytes is < 64 * 1024 or > 1024L * 1024 * 1024)
        {
            errors.Add("Keyward:Audit:SpoolMaxBytes must be between 65536 and 1073741824 bytes (e.g. 16777216).");
        }

        if (SpoolDrainInterval < TimeSpan.FromSeconds(1) || SpoolDrainInterval > TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:Audit:SpoolDrainInterval must be between 00:00:01 and 01:00:00 (e.g. 00:00:05).");
        }

        if (UnauthenticatedInterval < TimeSpan.FromSeconds(1) || UnauthenticatedInterval > TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:Audit:UnauthenticatedInterval must be between 00:00:01 and 01:00:00 (e.g. 00:01:00).");
        }

        if (UnauthenticatedMaxAddresses is < 1 or > 1_000_000)
        {
            errors.Add("Keyward:Audit:UnauthenticatedMaxAddresses must be between 1 and 1000000 (e.g. 10000).");
        }

        if (RepeatedRefusalsMaxKeys is < 1 or > 1_000_000)
        {
            errors.Add("Keyward:Audit:RepeatedRefusalsMaxKeys must be between 1 and 1000000 (e.g. 10000).");
        }

        return errors;
    }
}
