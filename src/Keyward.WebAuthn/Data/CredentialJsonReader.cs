using System.Text.Json;

namespace Keyward.WebAuthn;

/// <summary>Reads the members common to both response forms; every problem becomes malformed_response.</summary>
internal readonly struct CredentialJsonReader(JsonElement root, Base64Policy policy)
{
    public bool Common(out string id, out byte[] rawId, out JsonElement response, out WebAuthnFailure? failure)
    {
        // Stryker disable once String : equivalent, the out value is read only when Common returns true
        id = string.Empty;
        rawId = [];
        response = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, "the credential is not a JSON object");
            return false;
        }

        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, "type is missing");
            return false;
        }

        if (type.GetString() != "public-key")
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.CredentialTypeInvalid);
            return false;
        }

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, "id is missing");
            return false;
        }

        id = idElement.GetString()!;
        if (!Bytes(root, "rawId", out rawId, out failure))
        {
            return false;
        }

        if (!Base64Url.TryDecode(id, policy, out var idBytes) || !idBytes.AsSpan().SequenceEqual(rawId))
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.CredentialIdMismatch, "id and rawId differ");
            return false;
        }

        if (!root.TryGetProperty("response", out response) || response.ValueKind != JsonValueKind.Object)
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, "response is missing");
            return false;
        }

        failure = null;
        return true;
    }

    public bool Bytes(JsonElement parent, string name, out byte[] bytes, out WebAuthnFailure? failure)
    {
        bytes = [];
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, $"{name} is missing or not a string");
            return false;
        }

        if (!TryDecodeRaw(element, out bytes) && !Base64Url.TryDecode(element.GetString(), policy, out bytes))
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, $"{name} is not base64url" + (policy == Base64Policy.Strict ? " (standard base64 is accepted only under Base64Policy.AcceptStandardAlphabet)" : string.Empty));
            return false;
        }

        failure = null;
        return true;
    }

    /// <summary>
    /// Strict base64url straight from the JSON's own UTF-8 bytes, without the string in between (issue 15). Only the
    /// plain case: a value with an escape sequence, or with any character outside the base64url alphabet, returns false
    /// and goes through <see cref="Base64Url.TryDecode(string?, Base64Policy, out byte[])"/> as before, which decides it.
    /// </summary>
    private static bool TryDecodeRaw(JsonElement element, out byte[] bytes)
    {
        bytes = [];
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
        // Stryker disable once all : equivalent, a value not quoted here is decided by the string path
        if (raw.Length < 2 || raw[0] != (byte)'"' || raw[^1] != (byte)'"')
        {
            return false;
        }

        var text = raw[1..^1];
        foreach (var c in text)
        {
            if (!(c is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_'))
            {
                return false;
            }
        }

        // A strict base64url text of length 4k+1 cannot encode whole bytes: the string path refuses it.
        if (text.Length % 4 == 1)
        {
            return false;
        }

        var decoded = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length)];
        if (System.Buffers.Text.Base64Url.DecodeFromUtf8(text, decoded, out var consumed, out var written) != System.Buffers.OperationStatus.Done || consumed != text.Length)
        {
            return false;
        }

        bytes = written == decoded.Length ? decoded : decoded.AsSpan(0, written).ToArray();
        return true;
    }
}
