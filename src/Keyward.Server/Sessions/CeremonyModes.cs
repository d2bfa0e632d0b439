namespace Keyward.Server.Sessions;

/// <summary>What a stored ceremony is for (<see cref="CeremonyState.Mode"/>).</summary>
internal static class CeremonyModes
{
    /// <summary>A sign-in.</summary>
    public const string Login = "login";

    /// <summary>The first admin's registration, with the setup code.</summary>
    public const string Setup = "setup";

    /// <summary>A new account's registration, with an invite.</summary>
    public const string Invite = "invite";

    /// <summary>Another key for the signed-in account.</summary>
    public const string AddKey = "add";

    /// <summary>A step-up: a fresh assertion by a key of the signed-in account, for one purpose.</summary>
    public const string StepUp = "stepup";

    /// <summary>A new key for an existing account, with a re-enrollment invite.</summary>
    public const string Reenroll = "reenroll";

    /// <summary>A new key for an existing account, with a break-glass setup code (<c>keyward admin recover</c>).</summary>
    public const string BreakGlass = "breakglass";

    /// <summary>A new key for an existing account, with one of its recovery codes.</summary>
    public const string Recovery = "recovery";

    /// <summary>True for the modes that add a key to an account that exists already.</summary>
    public static bool AddsToExisting(string mode) => mode is AddKey or Reenroll or BreakGlass or Recovery;
}
