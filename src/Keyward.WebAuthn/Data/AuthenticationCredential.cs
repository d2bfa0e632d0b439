using System.Text.Json;

namespace Keyward.WebAuthn;

/// <summary>An authentication response in the WebAuthn L3 JSON form (<c>PublicKeyCredential.toJSON()</c> after get()).</summary>
public sealed class AuthenticationCredential
{
    private AuthenticationCredential(string id, byte[] rawId, byte[] clientDataJson, byte[] authenticatorData, byte[] signature, byte[]? userHandle)
    {
        Id = id;
        RawId = rawId;
        ClientDataJson = clientDataJson;
        AuthenticatorData = authenticatorData;
        Signature = signature;
        UserHandle = userHandle;
    }

    /// <summary>The credential id as base64url text.</summary>
    public string Id { get; }

    /// <summary>The credential id.</summary>
    public byte[] RawId { get; }

    /// <summary>response.clientDataJSON.</summary>
    public byte[] ClientDataJson { get; }

    /// <summary>response.authenticatorData.</summary>
    public byte[] AuthenticatorData { get; }

    /// <summary>response.signature.</summary>
    public byte[] Signature { get; }

    /// <summary>response.userHandle, or null when absent.</summary>
    public byte[]? UserHandle { get; }

    /// <summary>Parses the JSON text of an authentication response.</summary>
    public static WebAuthnResult<AuthenticationCredential> Parse(string json, Base64Policy policy = Base64Policy.Strict)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            return Parse(document.RootElement, policy);
        }
        catch (JsonException)
        {
            return WebAuthnResult<AuthenticationCredential>.Fail(WebAuthnErrorCode.MalformedResponse, "not valid JSON");
        }
    }

    /// <summary>Parses an authentication response already read as JSON.</summary>
    public static WebAuthnResult<AuthenticationCredential> Parse(JsonElement root, Base64Policy policy = Base64Policy.Strict)
    {
        var reader = new CredentialJsonReader(root, policy);
        if (!reader.Common(out var id, out var rawId, out var response, out var failure))
        {
            return failure!;
        }

        if (!reader.Bytes(response, "clientDataJSON", out var clientData, out failure)
            || !reader.Bytes(response, "authenticatorData", out var authData, out failure)
            || !reader.Bytes(response, "signature", out var signature, out failure))
        {
            return failure!;
        }

        byte[]? userHandle = null;
        if (response.TryGetProperty("userHandle", out var uh) && uh.ValueKind != JsonValueKind.Null)
        {
            if (!reader.Bytes(response, "userHandle", out var handle, out failure))
            {
                return failure!;
            }

            // An empty user handle is how some clients say "none" (WebAuthn L2 allowed it).
            userHandle = handle.Length == 0 ? null : handle;
        }

        return WebAuthnResult<AuthenticationCredential>.Ok(new AuthenticationCredential(id, rawId, clientData, authData, signature, userHandle));
    }
}
