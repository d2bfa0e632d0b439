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

        if (!Base64Url.TryDecode(element.GetString(), policy, out bytes))
        {
            failure = new WebAuthnFailure(WebAuthnErrorCode.MalformedResponse, $"{name} is not base64url" + (policy == Base64Policy.Strict ? " (standard base64 is accepted only under Base64Policy.AcceptStandardAlphabet)" : string.Empty));
            return false;
        }

        failure = null;
        return true;
    }
}
