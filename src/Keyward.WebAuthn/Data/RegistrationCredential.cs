using System.Text.Json;

namespace Keyward.WebAuthn;

/// <summary>A registration response in the WebAuthn L3 JSON form (<c>PublicKeyCredential.toJSON()</c> after create()).</summary>
public sealed class RegistrationCredential
{
    private RegistrationCredential(string id, byte[] rawId, byte[] clientDataJson, byte[] attestationObject, IReadOnlyList<string> transports)
    {
        Id = id;
        RawId = rawId;
        ClientDataJson = clientDataJson;
        AttestationObject = attestationObject;
        Transports = transports;
    }

    /// <summary>The credential id as base64url text.</summary>
    public string Id { get; }

    /// <summary>The credential id.</summary>
    public byte[] RawId { get; }

    /// <summary>response.clientDataJSON.</summary>
    public byte[] ClientDataJson { get; }

    /// <summary>response.attestationObject.</summary>
    public byte[] AttestationObject { get; }

    /// <summary>response.transports, when the client reported them.</summary>
    public IReadOnlyList<string> Transports { get; }

    /// <summary>Parses the JSON text of a registration response.</summary>
    public static WebAuthnResult<RegistrationCredential> Parse(string json, Base64Policy policy = Base64Policy.Strict)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            return Parse(document.RootElement, policy);
        }
        catch (JsonException)
        {
            return WebAuthnResult<RegistrationCredential>.Fail(WebAuthnErrorCode.MalformedResponse, "not valid JSON");
        }
    }

    /// <summary>Parses a registration response already read as JSON.</summary>
    public static WebAuthnResult<RegistrationCredential> Parse(JsonElement root, Base64Policy policy = Base64Policy.Strict)
    {
        var reader = new CredentialJsonReader(root, policy);
        if (!reader.Common(out var id, out var rawId, out var response, out var failure))
        {
            return failure!;
        }

        if (!reader.Bytes(response, "clientDataJSON", out var clientData, out failure) || !reader.Bytes(response, "attestationObject", out var attestation, out failure))
        {
            return failure!;
        }

        var transports = new List<string>();
        if (response.TryGetProperty("transports", out var t) && t.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in t.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && transports.Count < 16)
                {
                    transports.Add(item.GetString()!);
                }
            }
        }

        return WebAuthnResult<RegistrationCredential>.Ok(new RegistrationCredential(id, rawId, clientData, attestation, transports));
    }
}
