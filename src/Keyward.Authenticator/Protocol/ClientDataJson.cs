using System.Globalization;
using System.Text;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>
/// Serializes CollectedClientData exactly as browsers do, by the limited serialization of WebAuthn L3 §5.8.1.1:
/// type, challenge, origin, crossOrigin in that order, with no whitespace.
/// </summary>
internal static class ClientDataJson
{
    public const string TypeCreate = "webauthn.create";

    public const string TypeGet = "webauthn.get";

    public static byte[] Serialize(string type, ReadOnlySpan<byte> challenge, string origin)
    {
        var builder = new StringBuilder(128);
        builder.Append("{\"type\":");
        AppendString(builder, type);
        builder.Append(",\"challenge\":");
        AppendString(builder, Base64Url.Encode(challenge));
        builder.Append(",\"origin\":");
        AppendString(builder, origin);
        // The virtual key never runs in a cross-origin iframe, so topOrigin is absent (§5.8.1.1 step 7).
        builder.Append(",\"crossOrigin\":false}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>CCDToString (§5.8.1.2): quote, escape only '"', '\' and code points below U+0020.</summary>
    private static void AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
