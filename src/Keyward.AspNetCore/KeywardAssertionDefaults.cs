namespace Keyward.AspNetCore;

/// <summary>The fixed names of the Keyward identity assertion scheme.</summary>
public static class KeywardAssertionDefaults
{
    /// <summary>The default authentication scheme name: <c>KeywardAssertion</c>.</summary>
    public const string AuthenticationScheme = "KeywardAssertion";

    /// <summary>The request header in which Keyward's proxy sends the assertion: <c>Keyward-Assertion</c>.</summary>
    public const string HeaderName = "Keyward-Assertion";

    /// <summary>The JOSE <c>typ</c> header value of an identity assertion: <c>kw-id+jwt</c>.</summary>
    public const string TokenType = "kw-id+jwt";

    /// <summary>The only signature algorithm an assertion may use: <c>ES256</c> (ECDSA P-256 with SHA-256).</summary>
    public const string Algorithm = "ES256";

    /// <summary>Where Keyward publishes its signing keys, relative to the issuer URL.</summary>
    public const string JwksPath = "/.well-known/keyward/jwks.json";
}
