using System.Text.Json;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>Writes the WebAuthn L3 JSON option forms (base64url binary members, lower-case enum strings).</summary>
internal static class OptionsJsonWriter
{
    public static string Creation(RelyingPartyPolicy policy, RegistrationOptionsRequest request, byte[] challenge, byte[] userHandle, IReadOnlyList<CoseAlgorithm> algorithms) =>
        Write(w =>
        {
            w.WriteStartObject("rp");
            w.WriteString("id", policy.RpId);
            w.WriteString("name", policy.RpName);
            w.WriteEndObject();
            w.WriteStartObject("user");
            w.WriteString("id", Base64Url.Encode(userHandle));
            w.WriteString("name", request.UserName);
            w.WriteString("displayName", request.DisplayName ?? request.UserName);
            w.WriteEndObject();
            w.WriteString("challenge", Base64Url.Encode(challenge));
            w.WriteStartArray("pubKeyCredParams");
            foreach (var alg in algorithms)
            {
                w.WriteStartObject();
                w.WriteString("type", "public-key");
                w.WriteNumber("alg", (int)alg);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("timeout", (long)policy.Timeout.TotalMilliseconds);
            Descriptors(w, "excludeCredentials", request.ExcludeCredentials);
            w.WriteStartObject("authenticatorSelection");
            w.WriteString("residentKey", request.ResidentKey switch
            {
                ResidentKeyRequirement.Required => "required",
                ResidentKeyRequirement.Discouraged => "discouraged",
                _ => "preferred",
            });
            w.WriteBoolean("requireResidentKey", request.ResidentKey == ResidentKeyRequirement.Required);
            w.WriteString("userVerification", UserVerification(request.UserVerification));
            w.WriteEndObject();
            Strings(w, "hints", request.Hints);
            w.WriteString("attestation", request.Attestation switch
            {
                AttestationConveyance.Direct => "direct",
                AttestationConveyance.Indirect => "indirect",
                AttestationConveyance.Enterprise => "enterprise",
                _ => "none",
            });
            w.WriteStartObject("extensions");
            w.WriteBoolean("credProps", true);
            w.WriteEndObject();
        });

    public static string Request(RelyingPartyPolicy policy, AuthenticationOptionsRequest request, byte[] challenge) =>
        Write(w =>
        {
            w.WriteString("challenge", Base64Url.Encode(challenge));
            w.WriteNumber("timeout", (long)policy.Timeout.TotalMilliseconds);
            w.WriteString("rpId", policy.RpId);
            Descriptors(w, "allowCredentials", request.AllowCredentials);
            w.WriteString("userVerification", UserVerification(request.UserVerification));
            Strings(w, "hints", request.Hints);
        });

    private static string UserVerification(UserVerificationRequirement requirement) => requirement switch
    {
        UserVerificationRequirement.Required => "required",
        UserVerificationRequirement.Discouraged => "discouraged",
        _ => "preferred",
    };

    private static void Descriptors(Utf8JsonWriter w, string name, IReadOnlyList<CredentialDescriptor> descriptors)
    {
        w.WriteStartArray(name);
        foreach (var d in descriptors)
        {
            w.WriteStartObject();
            w.WriteString("type", "public-key");
            w.WriteString("id", Base64Url.Encode(d.Id));
            Strings(w, "transports", d.Transports);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
