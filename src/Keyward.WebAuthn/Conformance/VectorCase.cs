using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn.Conformance;

/// <summary>
/// One verification case in the JSON shape of tests/vectors/webauthn: the relying party's expectations and the
/// browser's response. Parsing reports what is missing in plain words, because operators write these by hand.
/// <c>keyward webauthn verify</c> and the vector tests run cases through <see cref="VectorCaseRunner"/>.
/// </summary>
public sealed record VectorCase
{
    /// <summary><c>registration</c> or <c>authentication</c> (JSON <c>ceremony</c>).</summary>
    public required string Ceremony { get; init; }

    /// <summary>The relying party's RP ID (JSON <c>rpId</c>).</summary>
    public required string RpId { get; init; }

    /// <summary>The origins the relying party accepts (JSON <c>origin</c>: a string or a list).</summary>
    public required IReadOnlyList<string> Origins { get; init; }

    /// <summary>The challenge the relying party issued (JSON <c>challenge</c>, base64url).</summary>
    public required byte[] Challenge { get; init; }

    /// <summary>Accept a ceremony run in a cross-origin iframe (JSON <c>allowCrossOrigin</c>; default false).</summary>
    public bool AllowCrossOrigin { get; init; }

    /// <summary>Top-level origins allowed to embed the ceremony (JSON <c>allowedTopOrigins</c>).</summary>
    public IReadOnlyList<string> AllowedTopOrigins { get; init; } = [];

    /// <summary>Require user verification, not only presence (JSON <c>requireUserVerification</c>; default false).</summary>
    public bool RequireUserVerification { get; init; }

    /// <summary>
    /// Require the user-present flag on registration (JSON <c>requireUserPresence</c>; default true). Authentication
    /// always requires it (WebAuthn L3 §7.2 step 16), so an authentication case that sets it to false is refused.
    /// </summary>
    public bool RequireUserPresence { get; init; } = true;

    /// <summary>Algorithms the registration options offered (JSON <c>pubKeyCredParamsAlgs</c>); null when not given.</summary>
    public IReadOnlyList<CoseAlgorithm>? Algorithms { get; init; }

    /// <summary>Attestation trust anchors (JSON <c>trustAnchorsDerHex</c>, DER certificates in hex).</summary>
    public IReadOnlyList<X509Certificate2> TrustAnchors { get; init; } = [];

    /// <summary>The instant at which certificates are checked (JSON <c>verificationTime</c>); null for now.</summary>
    public DateTimeOffset? VerificationTime { get; init; }

    /// <summary>The stored COSE public key (JSON <c>credentialPublicKey</c>, base64url); authentication cases only.</summary>
    public byte[]? CredentialPublicKey { get; init; }

    /// <summary>The stored signature counter (JSON <c>storedSignCount</c>, an integer 0…2^32−1; default 0).</summary>
    public uint StoredSignCount { get; init; }

    /// <summary>The stored backup-eligible flag (JSON <c>storedBackupEligible</c>); null when not recorded.</summary>
    public bool? StoredBackupEligible { get; init; }

    /// <summary>The browser's <c>PublicKeyCredential</c> JSON (<c>toJSON()</c>) (JSON <c>response</c>).</summary>
    public required JsonElement Response { get; init; }

    /// <summary>Reads a case; on failure returns null and a message that says what to fix.</summary>
    /// <param name="root">The case: one JSON object.</param>
    /// <param name="error">Why the case cannot be used, when the result is null.</param>
    public static VectorCase? Parse(JsonElement root, out string? error)
    {
        error = null;
        try
        {
            return ParseCore(root);
        }
        catch (CaseFormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static VectorCase ParseCore(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException("the case must be a JSON object");
        }

        var ceremony = RequiredString(root, "ceremony");
        if (ceremony is not ("registration" or "authentication"))
        {
            throw new CaseFormatException("\"ceremony\" must be \"registration\" or \"authentication\"");
        }

        var origins = Get(root, "origin") is { } o
            ? o.ValueKind == JsonValueKind.String ? [o.GetString()!] : StringList("origin", o, "a string or a list of strings")
            : throw new CaseFormatException("\"origin\" is required: a string or a list of strings");

        if (!Base64Url.TryDecode(RequiredString(root, "challenge"), out var challenge))
        {
            throw new CaseFormatException("\"challenge\" must be base64url");
        }

        const string ResponseExpected = "the PublicKeyCredential JSON (toJSON()) object";
        var response = Get(root, "response") is { } r
            ? r.ValueKind == JsonValueKind.Object ? r : throw new CaseFormatException($"\"response\" must be {ResponseExpected}{Got(r)}")
            : throw new CaseFormatException($"\"response\" is required: {ResponseExpected}");

        var requireUserPresence = OptionalBool(root, "requireUserPresence") ?? true;
        byte[]? publicKey = null;
        if (ceremony == "authentication")
        {
            if (!requireUserPresence)
            {
                throw new CaseFormatException("\"requireUserPresence\" cannot be false in an authentication case: WebAuthn L3 §7.2 step 16 always requires user presence");
            }

            if (!Base64Url.TryDecode(RequiredString(root, "credentialPublicKey"), out var key))
            {
                throw new CaseFormatException("\"credentialPublicKey\" must be the stored COSE key, base64url");
            }

            publicKey = key;
        }

        return new VectorCase
        {
            Ceremony = ceremony,
            RpId = RequiredString(root, "rpId"),
            Origins = origins,
            Challenge = challenge,
            AllowCrossOrigin = OptionalBool(root, "allowCrossOrigin") ?? false,
            AllowedTopOrigins = Get(root, "allowedTopOrigins") is { } tops ? StringList("allowedTopOrigins", tops, "a list of strings") : [],
            RequireUserVerification = OptionalBool(root, "requireUserVerification") ?? false,
            RequireUserPresence = requireUserPresence,
            Algorithms = Get(root, "pubKeyCredParamsAlgs") is { } algs ? ReadAlgorithms(algs) : null,
            TrustAnchors = Get(root, "trustAnchorsDerHex") is { } anchors
                ? [.. StringList("trustAnchorsDerHex", anchors, "a list of hex strings (DER certificates)").Select(LoadAnchor)]
                : [],
            VerificationTime = Get(root, "verificationTime") is { } vt
                ? vt.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(vt.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? t
                    : throw new CaseFormatException($"\"verificationTime\" must be a string holding an ISO 8601 instant{Got(vt)}")
                : null,
            CredentialPublicKey = publicKey,
            StoredSignCount = Get(root, "storedSignCount") is { } sc ? ReadSignCount(sc) : 0,
            StoredBackupEligible = OptionalBool(root, "storedBackupEligible"),
            Response = response.Clone(),
        };
    }

    // An absent member and an explicit null both mean "not given".
    private static JsonElement? Get(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static string[] StringList(string name, JsonElement value, string expected) =>
        value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw new CaseFormatException($"\"{name}\" must be {expected}; item {i} is {Kind(e)}"))]
            : throw new CaseFormatException($"\"{name}\" must be {expected}{Got(value)}");

    private static CoseAlgorithm[] ReadAlgorithms(JsonElement algs)
    {
        const string Expected = "a list of integers (COSE algorithm ids)";
        if (algs.ValueKind != JsonValueKind.Array)
        {
            throw new CaseFormatException($"\"pubKeyCredParamsAlgs\" must be {Expected}{Got(algs)}");
        }

        // Ids Keyward does not know are dropped, as a browser drops algorithms its authenticator lacks.
        return [.. algs.EnumerateArray()
            .Select((a, i) => a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var v)
                ? v
                : throw new CaseFormatException($"\"pubKeyCredParamsAlgs\" must be {Expected}; item {i} is {Kind(a)}"))
            .Where(v => Enum.IsDefined((CoseAlgorithm)v))
            .Select(v => (CoseAlgorithm)v)];
    }

    // The counter is 32 bits unsigned (WebAuthn L3 §6.1); anything else is refused rather than read as 0.
    private static uint ReadSignCount(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var count)
            ? count
            : throw new CaseFormatException($"\"storedSignCount\" must be an integer from 0 to 4294967295{Got(value)}");

    private static X509Certificate2 LoadAnchor(string hex)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromHexString(hex));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new CaseFormatException("\"trustAnchorsDerHex\" must hold DER certificates in hex");
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        Get(root, name) is { } v
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new CaseFormatException($"\"{name}\" must be a string{Got(v)}")
            : throw new CaseFormatException($"\"{name}\" is required: a string");

    private static bool? OptionalBool(JsonElement root, string name) =>
        Get(root, name) is { } v ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CaseFormatException($"\"{name}\" must be true or false{Got(v)}"),
        } : null;

    private static string Got(JsonElement value) => $", not {Kind(value)}";

    // Numbers are shown (briefly) because "not a number" would be wrong: 1.5 or -1 is a number of the wrong kind.
    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.GetRawText() is { Length: <= 24 } text ? text : "a long number",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private sealed class CaseFormatException(string message) : Exception(message);
}
