using System.Text.Json;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>
/// Reads members of the options JSON as a browser's <c>parse…OptionsFromJSON()</c> does, remembering the first
/// problem instead of throwing, so a reader can take every member and check <see cref="Error"/> once.
/// </summary>
internal sealed class JsonMemberReader
{
    /// <summary>The first problem found, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Parses the options text. Accepts the bare options object and, as some relying-party libraries send it,
    /// an object wrapping it in a <c>publicKey</c> member.
    /// </summary>
    public static AuthenticatorResult<JsonDocument> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return AuthenticatorResult<JsonDocument>.Fail(AuthenticatorError.MalformedOptions, "not valid JSON");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return AuthenticatorResult<JsonDocument>.Fail(AuthenticatorError.MalformedOptions, "the options are not a JSON object");
        }

        return AuthenticatorResult<JsonDocument>.Ok(document);
    }

    /// <summary>The options object: the root, or its <c>publicKey</c> member when the root wraps it.</summary>
    public static JsonElement Options(JsonDocument document) =>
        document.RootElement.TryGetProperty("publicKey", out var inner) && inner.ValueKind == JsonValueKind.Object && !document.RootElement.TryGetProperty("challenge", out _)
            ? inner
            : document.RootElement;

    public JsonElement? Object(JsonElement parent, string name, bool required) => Member(parent, name, JsonValueKind.Object, "an object", required);

    public JsonElement? Array(JsonElement parent, string name) => Member(parent, name, JsonValueKind.Array, "an array", required: false);

    public string? String(JsonElement parent, string name, bool required) =>
        Member(parent, name, JsonValueKind.String, "a string", required)?.GetString();

    public bool? Boolean(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Fail($"{name} must be a boolean");
        return null;
    }

    /// <summary>A base64url member decoded strictly, as <c>parseCreationOptionsFromJSON()</c> requires.</summary>
    public byte[]? Bytes(JsonElement parent, string name, bool required)
    {
        var text = String(parent, name, required);
        if (text is null)
        {
            return null;
        }

        if (!Base64Url.TryDecode(text, out var bytes))
        {
            Fail($"{name} is not unpadded base64url");
            return null;
        }

        return bytes;
    }

    /// <summary>The ids of a list of PublicKeyCredentialDescriptorJSON (excludeCredentials, allowCredentials); entries of another type are skipped.</summary>
    public List<byte[]> Descriptors(JsonElement parent, string name)
    {
        var ids = new List<byte[]>();
        if (Array(parent, name) is not { } list)
        {
            return ids;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Fail($"every entry of {name} must be an object");
                break;
            }

            var type = String(item, "type", required: true);
            var id = Bytes(item, "id", required: true);
            if (type == "public-key" && id is not null)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>A userVerification value; unknown or absent values mean "preferred", as for any WebIDL enum member parsed from a DOMString.</summary>
    public static UserVerificationRequirement UserVerification(string? value) => value switch
    {
        "required" => UserVerificationRequirement.Required,
        "discouraged" => UserVerificationRequirement.Discouraged,
        _ => UserVerificationRequirement.Preferred,
    };

    public void Fail(string detail) => Error ??= detail;

    private JsonElement? Member(JsonElement parent, string name, JsonValueKind kind, string what, bool required)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail($"{name} is required");
            }

            return null;
        }

        if (value.ValueKind != kind)
        {
            Fail($"{name} must be {what}");
            return null;
        }

        return value;
    }
}
