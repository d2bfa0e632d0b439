using System.Reflection;
using Keyward.WebAuthn;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // Origins apart and the one-time handoff (docs/security.md).
    public static readonly KeywardError HostUnknown = new("host_unknown", 421, "Keyward does not serve this host: it answers only on its public origin's host and on its browser routes' hosts.");
    public static readonly KeywardError BearerRequired = new("bearer_required", 401, "Routes on Keyward's origin take only Authorization: Bearer kws_…, never the session cookie. Browser routes have their own host.");
    public static readonly KeywardError HandoffRequestInvalid = new("handoff_request_invalid", 400, "The handoff needs host (a browser route's host), challenge (base64url SHA-256 of the verifier) and return (a path on that host starting with a single '/').");
    public static readonly KeywardError HandoffCodeInvalid = new("handoff_code_invalid", 400, "The handoff code is malformed or unknown. Open the app again.");
    public static readonly KeywardError HandoffCodeConsumed = new("handoff_code_consumed", 400, "The handoff code was already used. Open the app again.");
    public static readonly KeywardError HandoffCodeExpired = new("handoff_code_expired", 400, "The handoff code expired. Open the app again.");
    public static readonly KeywardError HandoffWrongHost = new("handoff_wrong_host", 400, "The handoff code was issued for another host.");
    public static readonly KeywardError HandoffVerifierMismatch = new("handoff_verifier_mismatch", 400, "This browser did not start the handoff (its pre-auth cookie is missing or does not match). Open the app again.");
    public static readonly KeywardError AppSessionInvalid = new("app_session_invalid", 401, "The app cookie is malformed, unknown, or for another host. Open the app again to sign in.");

    /// <summary>Every error the broker defines itself, in declaration order (for the catalogue test and the docs).</summary>
    /// <remarks>Read when asked, not in a static initializer: the fields are declared in another part of this class.</remarks>
    public static IReadOnlyList<KeywardError> Own() =>
        [.. typeof(KeywardErrors).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(KeywardError)).Select(f => (KeywardError)f.GetValue(null)!)];

    /// <summary>The codes of the WebAuthn ceremony failures, which the broker answers with <see cref="WebAuthn"/>.</summary>
    public static IReadOnlyList<string> WebAuthnCodes { get; } = [.. WebAuthnErrors.All.Select(WebAuthnErrors.Code)];

    // The browser model (issue 9, docs/security.md).
    public static readonly KeywardError CrossOriginRequest = new("cross_origin_request", 403, "A request that changes state with Keyward's cookie must come from the same origin (Origin, or Sec-Fetch-Site: same-origin). Scripts and the CLI send Authorization: Bearer instead.");
}
