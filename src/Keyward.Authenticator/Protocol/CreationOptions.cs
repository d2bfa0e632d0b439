using System.Text.Json;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>The members of PublicKeyCredentialCreationOptionsJSON (WebAuthn L3 §5.4) that the virtual key acts on.</summary>
internal sealed record CreationOptions
{
    /// <summary>Longest user.id a client accepts (WebAuthn L3 §5.4.3).</summary>
    public const int MaxUserIdLength = 64;

    public required byte[] Challenge { get; init; }

    /// <summary>rp.id, or null to default to the origin's host.</summary>
    public required string? RpId { get; init; }

    public required byte[] UserId { get; init; }

    public required string UserName { get; init; }

    public required string UserDisplayName { get; init; }

    /// <summary>The alg of each public-key entry of pubKeyCredParams, in the relying party's order of preference.</summary>
    public required IReadOnlyList<long> Algorithms { get; init; }

    public required IReadOnlyList<byte[]> ExcludeCredentials { get; init; }

    public required bool ResidentKey { get; init; }

    public required UserVerificationRequirement UserVerification { get; init; }

    /// <summary>The attestation conveyance preference: none, indirect, direct or enterprise.</summary>
    public required string Attestation { get; init; }

    /// <summary>Whether the credProps extension was requested (WebAuthn L3 §10.1.3).</summary>
    public required bool CredProps { get; init; }

    public static AuthenticatorResult<CreationOptions> Parse(string json)
    {
        var parsed = JsonMemberReader.Parse(json);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        using var document = parsed.Value;
        var options = JsonMemberReader.Options(document);
        var reader = new JsonMemberReader();

        var challenge = reader.Bytes(options, "challenge", required: true);
        string? rpId = null;
        if (reader.Object(options, "rp", required: true) is { } rp)
        {
            rpId = reader.String(rp, "id", required: false);
            _ = reader.String(rp, "name", required: false);
        }

        byte[]? userId = null;
        string? userName = null, displayName = null;
        if (reader.Object(options, "user", required: true) is { } user)
        {
            userId = reader.Bytes(user, "id", required: true);
            userName = reader.String(user, "name", required: true);
            displayName = reader.String(user, "displayName", required: false);
        }

        if (userId is { Length: 0 or > MaxUserIdLength })
        {
            reader.Fail($"user.id must be 1 to {MaxUserIdLength} bytes");
        }

        var algorithms = ReadAlgorithms(reader, options);
        var exclude = reader.Descriptors(options, "excludeCredentials");

        var selection = reader.Object(options, "authenticatorSelection", required: false);
        var residentKey = false;
        var userVerification = UserVerificationRequirement.Preferred;
        if (selection is { } s)
        {
            // WebAuthn L3 §5.4.4: residentKey, when it names a known value, overrides requireResidentKey.
            var requireResidentKey = reader.Boolean(s, "requireResidentKey") ?? false;
            residentKey = reader.String(s, "residentKey", required: false) switch
            {
                "required" or "preferred" => true,
                "discouraged" => false,
                _ => requireResidentKey,
            };
            userVerification = JsonMemberReader.UserVerification(reader.String(s, "userVerification", required: false));
        }

        var attestation = reader.String(options, "attestation", required: false) switch
        {
            "indirect" => "indirect",
            "direct" => "direct",
            "enterprise" => "enterprise",
            _ => "none",
        };

        var credProps = false;
        if (reader.Object(options, "extensions", required: false) is { } extensions)
        {
            credProps = reader.Boolean(extensions, "credProps") ?? false;
        }

        if (reader.Error is not null)
        {
            return AuthenticatorResult<CreationOptions>.Fail(AuthenticatorError.MalformedOptions, reader.Error);
        }

        return AuthenticatorResult<CreationOptions>.Ok(new CreationOptions
        {
            Challenge = challenge!,
            RpId = rpId,
            UserId = userId!,
            UserName = userName!,
            UserDisplayName = displayName ?? string.Empty,
            Algorithms = algorithms,
            ExcludeCredentials = exclude,
            ResidentKey = residentKey,
            UserVerification = userVerification,
            Attestation = attestation,
            CredProps = credProps,
        });
    }

    private static List<long> ReadAlgorithms(JsonMemberReader reader, JsonElement options)
    {
        var algorithms = new List<long>();
        var list = reader.Array(options, "pubKeyCredParams");
        if (list is null)
        {
            reader.Fail("pubKeyCredParams is required");
            return algorithms;
        }

        foreach (var item in list.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.Number || !alg.TryGetInt64(out var value))
            {
                reader.Fail("every pubKeyCredParams entry needs an integer alg");
                break;
            }

            // Entries of an unknown type are skipped (WebAuthn L3 §5.1.3 step 10).
            if (reader.String(item, "type", required: true) == "public-key")
            {
                algorithms.Add(value);
            }
        }

        return algorithms;
    }
}
