using System.Text.Json;

namespace Keyward.WebAuthn;

/// <summary>
/// The members of clientDataJSON (WebAuthn L3 §5.8.1) that a relying party checks. Parsed with a forward-only
/// reader: unknown members are ignored as the spec requires, duplicated known members are refused.
/// </summary>
public sealed class CollectedClientData
{
    /// <summary>Largest clientDataJSON accepted.</summary>
    public const int MaxLength = 16 * 1024;

    private CollectedClientData(string type, string challenge, string origin, bool crossOrigin, string? topOrigin, string? tokenBindingStatus)
    {
        Type = type;
        Challenge = challenge;
        Origin = origin;
        CrossOrigin = crossOrigin;
        TopOrigin = topOrigin;
        TokenBindingStatus = tokenBindingStatus;
    }

    /// <summary><c>webauthn.create</c> or <c>webauthn.get</c>.</summary>
    public string Type { get; }

    /// <summary>The challenge, base64url as the client wrote it.</summary>
    public string Challenge { get; }

    /// <summary>The origin of the page that ran the ceremony.</summary>
    public string Origin { get; }

    /// <summary>True when the ceremony ran in a cross-origin iframe.</summary>
    public bool CrossOrigin { get; }

    /// <summary>The top-level origin when it differs from <see cref="Origin"/>.</summary>
    public string? TopOrigin { get; }

    /// <summary>The legacy (Level 2) tokenBinding status, when the object form was sent.</summary>
    public string? TokenBindingStatus { get; }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Parses clientDataJSON bytes.</summary>
    public static WebAuthnResult<CollectedClientData> Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxLength)
        {
            return Malformed($"larger than {MaxLength} bytes");
        }

        // WebAuthn L3 §7.1 step 5 / §7.2 step 8 run WHATWG "UTF-8 decode", which strips one leading BOM. Only the
        // parse skips it: the client data hash stays over the bytes as sent. A second BOM, or one anywhere else
        // outside a string, is not JSON and is refused by the reader.
        if (json.StartsWith(Utf8Bom))
        {
            json = json[Utf8Bom.Length..];
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Malformed("not a JSON object");
            }

            string? type = null, challenge = null, origin = null, topOrigin = null, tokenBinding = null;
            bool? crossOrigin = null;
            var seenTokenBinding = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "type" when type is null:
                        type = ReadString(ref reader);
                        break;
                    case "challenge" when challenge is null:
                        challenge = ReadString(ref reader);
                        break;
                    case "origin" when origin is null:
                        origin = ReadString(ref reader);
                        break;
                    case "topOrigin" when topOrigin is null:
                        topOrigin = ReadString(ref reader);
                        break;
                    case "crossOrigin" when crossOrigin is null:
                        crossOrigin = reader.TokenType switch
                        {
                            JsonTokenType.True => true,
                            JsonTokenType.False => false,
                            _ => throw new JsonException(),
                        };
                        break;
                    case "tokenBinding" when !seenTokenBinding:
                        seenTokenBinding = true;
                        tokenBinding = ReadTokenBinding(ref reader);
                        break;
                    case "type" or "challenge" or "origin" or "topOrigin" or "crossOrigin" or "tokenBinding":
                        return Malformed($"member \"{name}\" appears twice");
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Malformed("trailing data after the JSON object");
            }

            if (type is null || challenge is null || origin is null)
            {
                return Malformed("type, challenge and origin are required strings");
            }

            return WebAuthnResult<CollectedClientData>.Ok(new CollectedClientData(type, challenge, origin, crossOrigin ?? false, topOrigin, tokenBinding));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Malformed("not well-formed JSON, or a member has the wrong type");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException();

    /// <summary>
    /// Level 2 defined tokenBinding as an object {status, id}; Level 3 reserves the member. Some browsers once
    /// sent the string "unused". A string is ignored; an object yields its status for the verifier to judge.
    /// </summary>
    private static string? ReadTokenBinding(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException();
        }

        string? status = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "status" && reader.TokenType == JsonTokenType.String)
            {
                status = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return status ?? string.Empty;
    }

    private static WebAuthnResult<CollectedClientData> Malformed(string detail) =>
        WebAuthnResult<CollectedClientData>.Fail(WebAuthnErrorCode.MalformedClientData, detail);
}
