namespace Keyward.WebAuthn;

/// <summary>Options for navigator.credentials.get() and the matching ceremony record.</summary>
public sealed class AuthenticationOptions
{
    private readonly string _json;

    internal AuthenticationOptions(AssertionCeremony ceremony, string json)
    {
        Ceremony = ceremony;
        _json = json;
    }

    /// <summary>The ceremony to verify the response against.</summary>
    public AssertionCeremony Ceremony { get; }

    /// <summary>PublicKeyCredentialRequestOptionsJSON (WebAuthn L3 §5.1.11), for <c>PublicKeyCredential.parseRequestOptionsFromJSON</c>.</summary>
    public string ToJson() => _json;
}
