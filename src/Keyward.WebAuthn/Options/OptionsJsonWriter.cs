using System.Buffers;
using System.Text.Json;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>
/// Writes the WebAuthn L3 JSON option forms (base64url binary members, lower-case enum strings). Each thread keeps one
/// writer and its buffer between calls (issue 15: a writer over a stream took a 4 KB buffer per sign-in's options); what
/// they hold is only options already sent to a browser, and a buffer grown past <see cref="MaxKeptBuffer"/> is dropped.
/// </summary>
internal static class OptionsJsonWriter
{
    private const int MaxKeptBuffer = 16 * 1024;

    // Base64url of up to this many bytes is encoded on the stack (a credential id may be 1023 bytes: pooled above).
    private const int StackEncodeLimit = 384;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static string Creation(RelyingPartyPolicy policy, RegistrationOptionsRequest request, byte[] challenge, byte[] userHandle, IReadOnlyList<CoseAlgorithm> algorithms) =>
        Write((policy, request, challenge, userHandle, algorithms), static (w, s) =>
        {
            var (policy, request, challenge, userHandle, algorithms) = s;
            w.WriteStartObject("rp");
            w.WriteString("id", policy.RpId);
            w.WriteString("name", policy.RpName);
            w.WriteEndObject();
            w.WriteStartObject("user");
            WriteBase64Url(w, "id", userHandle);
            w.WriteString("name", request.UserName);
            w.WriteString("displayName", request.DisplayName ?? request.UserName);
            w.WriteEndObject();
            WriteBase64Url(w, "challenge", challenge);
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
        Write((policy, request, challenge), static (w, s) =>
        {
            var (policy, request, challenge) = s;
            WriteBase64Url(w, "challenge", challenge);
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
            WriteBase64Url(w, "id", d.Id);
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

    /// <summary>Writes base64url (unpadded) without a string in between; its characters never need JSON escaping.</summary>
    private static void WriteBase64Url(Utf8JsonWriter w, string name, ReadOnlySpan<byte> data)
    {
        var length = System.Buffers.Text.Base64Url.GetEncodedLength(data.Length);
        // Stryker disable once all : equivalent, where the buffer lives (stack or pool) does not change what is written
        var rented = length > StackEncodeLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        // Stryker disable once all : equivalent, see above
        var utf8 = rented is null ? stackalloc byte[StackEncodeLimit] : rented.AsSpan();
        try
        {
            var written = System.Buffers.Text.Base64Url.EncodeToUtf8(data, utf8);
            w.WriteString(name, utf8[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string Write<TState>(TState state, Action<Utf8JsonWriter, TState> body)
    {
        // Taken off the thread while in use, so a nested call (none today) would get its own.
        var buffer = _buffer ?? new ArrayBufferWriter<byte>(1024);
        var w = _writer;
        _buffer = null;
        _writer = null;
        if (w is null)
        {
            w = new Utf8JsonWriter(buffer);
        }
        else
        {
            w.Reset(buffer);
        }

        try
        {
            w.WriteStartObject();
            body(w, state);
            w.WriteEndObject();
            w.Flush();
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            // Stryker disable once all : equivalent, a buffer not kept is only made again on the next call
            if (buffer.Capacity <= MaxKeptBuffer)
            {
                buffer.ResetWrittenCount();
                w.Reset(buffer);
                _buffer = buffer;
                _writer = w;
            }
            else
            {
                w.Dispose();
            }
        }
    }
}
