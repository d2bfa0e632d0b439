namespace Keyward.Server.Capabilities;

/// <summary>Settings of capability tokens (<c>Keyward:Capabilities</c>; docs/capabilities.md, docs/configuration.md).</summary>
public sealed class CapabilityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Capabilities";

    /// <summary>How long a capability token is accepted after it is minted. Default 5 min; 30 s to 15 min.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many capabilities one actor may mint per minute (per node). Default 600; 1 to 100000.</summary>
    public int MintsPerActorPerMinute { get; set; } = 600;

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Lifetime < TimeSpan.FromSeconds(30) || Lifetime > TimeSpan.FromMinutes(15))
        {
            errors.Add($"{Section}:Lifetime must be between 00:00:30 and 00:15:00 (default 00:05:00): a capability is short-lived by design.");
        }

        if (MintsPerActorPerMinute is < 1 or > 100_000)
        {
            errors.Add($"{Section}:MintsPerActorPerMinute must be between 1 and 100000 (default 600): it bounds how fast one actor can mint.");
        }

        return errors;
    }
}
