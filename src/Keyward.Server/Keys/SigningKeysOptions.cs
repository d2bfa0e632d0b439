namespace Keyward.Server.Keys;

/// <summary>The shared signing keys of a cluster on PostgreSQL (<c>Keyward:SigningKeys</c>; docs/architecture.md, "Signing keys").</summary>
public sealed class SigningKeysOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:SigningKeys";

    /// <summary>
    /// How often a node reads the keys from the database (and rotates them when due). A new key is published three
    /// intervals before it signs, so every node serves it before any node signs with it. Default 5 s.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a new capability signing key is made (on PostgreSQL). Default 7 days.</summary>
    public TimeSpan CapabilityKeyRotationInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a new key is published before it signs.</summary>
    public TimeSpan PublishAhead => RefreshInterval * 3;

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RefreshInterval < TimeSpan.FromSeconds(1) || RefreshInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{Section}:RefreshInterval must be between 00:00:01 and 00:01:00 (e.g. 00:00:05): it bounds how late a node sees a new signing key.");
        }

        if (CapabilityKeyRotationInterval < TimeSpan.FromHours(1))
        {
            errors.Add($"{Section}:CapabilityKeyRotationInterval must be at least 01:00:00 (e.g. 7.00:00:00).");
        }

        return errors;
    }
}
