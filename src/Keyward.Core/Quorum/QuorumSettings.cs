namespace Keyward.Core.Quorum;

/// <summary>The quorum's fixed settings. Immutable; <see cref="Validate"/> lists every problem with how to fix it.</summary>
public sealed record QuorumSettings
{
    /// <summary>The default lifetime of a pending request.</summary>
    public static readonly TimeSpan DefaultPendingLifetime = TimeSpan.FromHours(24);

    /// <summary>This Keyward's instance id, bound into every challenge so an approval for one instance never counts on another.</summary>
    public required string InstanceId { get; init; }

    /// <summary>How long a request may wait for its quorum (24 h by default).</summary>
    public TimeSpan PendingLifetime { get; init; } = DefaultPendingLifetime;

    /// <summary>Every problem, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(InstanceId) || InstanceId.Length > 200)
        {
            errors.Add("InstanceId must be 1 to 200 characters: set it to this Keyward's stable instance id.");
        }

        if (PendingLifetime < TimeSpan.FromMinutes(1) || PendingLifetime > TimeSpan.FromDays(30))
        {
            errors.Add("PendingLifetime must be between 1 minute and 30 days (default 24 hours).");
        }

        return errors;
    }
}
