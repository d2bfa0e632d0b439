namespace Keyward.Server.Sessions;

/// <summary>Sign-in and registration settings (<c>Keyward:SignIn</c>).</summary>
public sealed class SignInOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:SignIn";

    /// <summary>How long a WebAuthn ceremony may take between options and response.</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of the first-start setup code.</summary>
    public TimeSpan SetupCodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of invites.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Sign-in and registration attempts per client address per minute.</summary>
    public int PerAddressPerMinute { get; set; } = 30;

    /// <summary>
    /// Failed sign-ins in a row, per client address and per account, before each further failure makes that address or
    /// account wait (1 s, doubling). A verified sign-in is never refused for its account's failures.
    /// </summary>
    public int FailuresBeforeBackoff { get; set; } = 5;

    /// <summary>The longest wait after failed sign-ins; also how long a quiet spell must last to forget them.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Wrong setup (and break-glass) codes accepted for checking per minute across ALL client addresses, as a token
    /// bucket of this size that refills at this rate. When it is empty, a setup code is refused with 429 and Retry-After
    /// (at most 60 s / this) before it is checked, so guesses are bounded globally and the real admin waits seconds.
    /// </summary>
    public int SetupCodeFailuresPerMinute { get; set; } = 10;

    /// <summary>Returns every problem.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CeremonyLifetime < TimeSpan.FromSeconds(30) || CeremonyLifetime > TimeSpan.FromMinutes(30))
        {
            errors.Add("Keyward:SignIn:CeremonyLifetime must be between 00:00:30 and 00:30:00.");
        }

        if (SetupCodeLifetime <= TimeSpan.Zero || InviteLifetime <= TimeSpan.Zero)
        {
            errors.Add("Keyward:SignIn:SetupCodeLifetime and InviteLifetime must be positive.");
        }

        if (PerAddressPerMinute < 1)
        {
            errors.Add("Keyward:SignIn:PerAddressPerMinute must be at least 1.");
        }

        if (FailuresBeforeBackoff < 1)
        {
            errors.Add("Keyward:SignIn:FailuresBeforeBackoff must be at least 1.");
        }

        if (MaxBackoff < TimeSpan.FromSeconds(1) || MaxBackoff > TimeSpan.FromHours(1))
        {
            errors.Add("Keyward:SignIn:MaxBackoff must be between 00:00:01 and 01:00:00.");
        }

        if (SetupCodeFailuresPerMinute is < 1 or > 600)
        {
            errors.Add("Keyward:SignIn:SetupCodeFailuresPerMinute must be between 1 and 600 (e.g. 10).");
        }

        return errors;
    }
}
