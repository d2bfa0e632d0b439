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
}
