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
}
