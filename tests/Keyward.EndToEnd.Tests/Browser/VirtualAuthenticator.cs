namespace Keyward.EndToEnd.Tests.Browser;

/// <summary>
/// A DevTools virtual authenticator (Chrome DevTools Protocol, WebAuthn.addVirtualAuthenticator). Presence is
/// simulated automatically; user verification succeeds when the authenticator can verify at all.
/// </summary>
/// <param name="Protocol">"ctap2" or "u2f".</param>
/// <param name="Transport">"usb" (a security key) or "internal" (a platform authenticator).</param>
/// <param name="HasResidentKey">Whether it can store discoverable credentials.</param>
/// <param name="HasUserVerification">Whether it can verify the user (a PIN or biometric).</param>
internal sealed record VirtualAuthenticator(string Protocol, string Transport, bool HasResidentKey, bool HasUserVerification)
{
    /// <summary>A FIDO2 security key with a PIN: resident keys and user verification.</summary>
    public static VirtualAuthenticator Ctap2SecurityKey { get; } = new("ctap2", "usb", HasResidentKey: true, HasUserVerification: true);

    /// <summary>
    /// A FIDO2 security key that cannot verify the user (no PIN, no biometric) and keeps no resident keys. Chromium
    /// demands UV for every discoverable credential: a UV-less key that could store one is refused outright (even for
    /// residentKey "preferred", NotAllowedError), where a real browser would ask the user to set a PIN.
    /// </summary>
    public static VirtualAuthenticator Ctap2PresenceOnly { get; } = new("ctap2", "usb", HasResidentKey: false, HasUserVerification: false);

    /// <summary>A FIDO2 platform authenticator (a passkey on this device).</summary>
    public static VirtualAuthenticator Ctap2Platform { get; } = new("ctap2", "internal", HasResidentKey: true, HasUserVerification: true);

    /// <summary>A legacy FIDO U2F key: no resident keys, no user verification.</summary>
    public static VirtualAuthenticator U2f { get; } = new("u2f", "usb", HasResidentKey: false, HasUserVerification: false);

    /// <summary>The params of WebAuthn.addVirtualAuthenticator.</summary>
    public Dictionary<string, object> ToCdpParams() => new()
    {
        ["options"] = new Dictionary<string, object>
        {
            ["protocol"] = Protocol,
            ["transport"] = Transport,
            ["hasResidentKey"] = HasResidentKey,
            ["hasUserVerification"] = HasUserVerification,
            ["isUserVerified"] = HasUserVerification,
            ["automaticPresenceSimulation"] = true,
        },
    };
}
