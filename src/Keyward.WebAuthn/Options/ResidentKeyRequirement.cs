namespace Keyward.WebAuthn;

/// <summary>WebAuthn residentKey values (L3 §5.4.6): whether to create a discoverable credential.</summary>
public enum ResidentKeyRequirement
{
    /// <summary>Prefer a discoverable credential.</summary>
    Preferred = 0,
    /// <summary>Require a discoverable credential (usernameless sign-in).</summary>
    Required = 1,
    /// <summary>Prefer a server-side credential.</summary>
    Discouraged = 2,
}
