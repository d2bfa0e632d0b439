namespace Keyward.AspNetCore;

/// <summary>
/// The claim types of an identity assertion, as they appear on the authenticated
/// <see cref="System.Security.Claims.ClaimsPrincipal"/> (JWT names, never remapped).
/// </summary>
public static class KeywardAssertionClaimTypes
{
    /// <summary>The account id (<c>sub</c>).</summary>
    public const string Subject = "sub";

    /// <summary>The account name (<c>name</c>); also the principal's name claim type.</summary>
    public const string Name = "name";

    /// <summary>The Keyward login session id (<c>sid</c>).</summary>
    public const string SessionId = "sid";

    /// <summary>How the person authenticated (<c>amr</c>), one claim per method, for example <c>hwk</c> and <c>uv</c>.</summary>
    public const string AuthenticationMethod = "amr";

    /// <summary>When the person authenticated (<c>auth_time</c>, seconds since the Unix epoch).</summary>
    public const string AuthenticationTime = "auth_time";

    /// <summary>The unique id of this assertion (<c>jti</c>).</summary>
    public const string AssertionId = "jti";
}
