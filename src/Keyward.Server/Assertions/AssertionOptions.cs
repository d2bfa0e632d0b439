namespace Keyward.Server.Assertions;

/// <summary>Identity assertion settings (<c>Keyward:Assertions</c>).</summary>
public sealed class AssertionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Assertions";

    /// <summary>Lifetime of one assertion (at most 60 s).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a new signing key is made.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a retired key stays published so in-flight assertions still verify.</summary>
    public TimeSpan KeyOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Lifetime < TimeSpan.FromSeconds(5) || Lifetime > TimeSpan.FromSeconds(60))
        {
            errors.Add("Keyward:Assertions:Lifetime must be between 00:00:05 and 00:01:00.");
        }

        if (KeyRotationInterval < TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:Assertions:KeyRotationInterval must be at least 01:00:00.");
        }

        if (KeyOverlap < Lifetime)
        {
            errors.Add("Keyward:Assertions:KeyOverlap must be at least the assertion Lifetime.");
        }

        return errors;
    }
}
