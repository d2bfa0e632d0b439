namespace Keyward.Server.Approvals;

/// <summary>M-of-N approval settings (<c>Keyward:Approvals</c>, docs/approvals.md).</summary>
public sealed class ApprovalsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Approvals";

    /// <summary>
    /// This Keyward's instance id, bound into every approval challenge. Empty (the default): derived from the data
    /// directory's <c>instance.key</c>, so it is stable across restarts and shared by every node that shares that file.
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>How long a proposed operation waits for its quorum (default 24 hours; 1 minute to 30 days).</summary>
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired requests are marked and audited (default 1 minute; 1 second to 1 hour).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (InstanceId is { } id && (id.Length is 0 or > 200 || id.Any(char.IsControl)))
        {
            errors.Add("Keyward:Approvals:InstanceId must be 1 to 200 printable characters, or unset to derive it from instance.key.");
        }

        if (PendingLifetime < TimeSpan.FromMinutes(1) || PendingLifetime > TimeSpan.FromDays(30))
        {
            errors.Add("Keyward:Approvals:PendingLifetime must be between 00:01:00 and 30.00:00:00 (default 1.00:00:00).");
        }

        if (SweepInterval < TimeSpan.FromSeconds(1) || SweepInterval > TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:Approvals:SweepInterval must be between 00:00:01 and 01:00:00 (default 00:01:00).");
        }

        return errors;
    }
}
