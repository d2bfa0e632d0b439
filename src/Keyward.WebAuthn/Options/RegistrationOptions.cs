namespace Keyward.WebAuthn;

/// <summary>
/// Options for navigator.credentials.create() and the matching ceremony record. Send <see cref="ToJson"/> to the
/// client; keep <see cref="Ceremony"/> server-side (it holds the challenge) to verify the response against.
/// </summary>
public sealed class RegistrationOptions
{
    private readonly string _json;

    internal RegistrationOptions(RegistrationCeremony ceremony, byte[] userHandle, string json)
    {
        Ceremony = ceremony;
        UserHandle = userHandle;
        _json = json;
    }

    /// <summary>The ceremony to verify the response against.</summary>
    public RegistrationCeremony Ceremony { get; }

    /// <summary>The user handle sent as user.id.</summary>
    public byte[] UserHandle { get; }

    /// <summary>PublicKeyCredentialCreationOptionsJSON (WebAuthn L3 §5.1.10), for <c>PublicKeyCredential.parseCreationOptionsFromJSON</c>.</summary>
    public string ToJson() => _json;
}
