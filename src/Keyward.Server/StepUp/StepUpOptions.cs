namespace Keyward.Server.StepUp;

/// <summary>Step-up settings (<c>Keyward:StepUp</c>).</summary>
public sealed class StepUpOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:StepUp";

    /// <summary>The longest window the setting may have (NIST SP 800-63B reauthentication: keep it short).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a step-up stays valid: an <c>admin</c> step-up is reusable for this long; a single-use one must be spent
    /// within it.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate() =>
        Window <= TimeSpan.Zero || Window > MaxWindow
            ? ["Keyward:StepUp:Window must be positive and at most 00:15:00 (default 00:05:00)."]
            : [];
}
