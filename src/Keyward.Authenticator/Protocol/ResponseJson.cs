using System.Buffers;
using System.Text;
using System.Text.Json;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>
/// Writes PublicKeyCredential in its WebAuthn L3 JSON form (<c>toJSON()</c>, §5.1.1): RegistrationResponseJSON
/// and AuthenticationResponseJSON, every binary member as unpadded base64url.
/// </summary>
internal static class ResponseJson
{
    private const string Transport = "usb";

    private const string Attachment = "cross-platform";

    /// <summary>The registration response (§5.2.1 AuthenticatorAttestationResponseJSON inside RegistrationResponseJSON).</summary>
    public static string Registration(byte[] credentialId, byte[] clientDataJson, byte[] authenticatorData, byte[] attestationObject, CredentialKey key, bool? credPropsResidentKey)
    {
        return Write(credentialId, w =>
        {
            w.WriteString("clientDataJSON", Base64Url.Encode(clientDataJson));
            w.WriteString("authenticatorData", Base64Url.Encode(authenticatorData));
            w.WriteStartArray("transports");
            w.WriteStringValue(Transport);
            w.WriteEndArray();
            w.WriteString("publicKey", Base64Url.Encode(key.SubjectPublicKeyInfo));
            w.WriteNumber("publicKeyAlgorithm", (int)key.Algorithm);
            w.WriteString("attestationObject", Base64Url.Encode(attestationObject));
        }, w =>
        {
            if (credPropsResidentKey is { } rk)
            {
                // §10.1.3: the client reports whether it made a discoverable credential.
                w.WriteStartObject("credProps");
                w.WriteBoolean("rk", rk);
                w.WriteEndObject();
            }
        });
    }

    /// <summary>The authentication response (§5.2.2 AuthenticatorAssertionResponseJSON inside AuthenticationResponseJSON).</summary>
    public static string Assertion(byte[] credentialId, byte[] clientDataJson, byte[] authenticatorData, byte[] signature, byte[] userHandle)
    {
        return Write(credentialId, w =>
        {
            w.WriteString("clientDataJSON", Base64Url.Encode(clientDataJson));
            w.WriteString("authenticatorData", Base64Url.Encode(authenticatorData));
            w.WriteString("signature", Base64Url.Encode(signature));
            w.WriteString("userHandle", Base64Url.Encode(userHandle));
        }, _ => { });
    }

    private static string Write(byte[] credentialId, Action<Utf8JsonWriter> response, Action<Utf8JsonWriter> extensions)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            var id = Base64Url.Encode(credentialId);
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("rawId", id);
            w.WriteString("type", "public-key");
            w.WriteStartObject("response");
            response(w);
            w.WriteEndObject();
            w.WriteStartObject("clientExtensionResults");
            extensions(w);
            w.WriteEndObject();
            w.WriteString("authenticatorAttachment", Attachment);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
