using System.Reflection;
using Keyward.WebAuthn;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    /// <summary>Every error the broker defines itself, in declaration order (for the catalogue test and the docs).</summary>
    /// <remarks>Read when asked, not in a static initializer: the fields are declared in another part of this class.</remarks>
    public static IReadOnlyList<KeywardError> Own() =>
        [.. typeof(KeywardErrors).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(KeywardError)).Select(f => (KeywardError)f.GetValue(null)!)];

    /// <summary>The codes of the WebAuthn ceremony failures, which the broker answers with <see cref="WebAuthn"/>.</summary>
    public static IReadOnlyList<string> WebAuthnCodes { get; } = [.. WebAuthnErrors.All.Select(WebAuthnErrors.Code)];

    // The browser model (issue 9, docs/security.md).
    public static readonly KeywardError CrossOriginRequest = new("cross_origin_request", 403, "A request that changes state with Keyward's cookie must come from the same origin (Origin, or Sec-Fetch-Site: same-origin). Scripts and the CLI send Authorization: Bearer instead.");
}
