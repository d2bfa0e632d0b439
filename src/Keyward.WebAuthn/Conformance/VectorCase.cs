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

    /// <summary>The stored signature counter (JSON <c>storedSignCount</c>; default 0).</summary>
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

        var origins = root.TryGetProperty("origin", out var o) ? o.ValueKind switch
        {
            JsonValueKind.String => [o.GetString()!],
            JsonValueKind.Array => o.EnumerateArray().Select(e => e.GetString() ?? throw new CaseFormatException("\"origin\" list must hold strings")).ToArray(),
            _ => throw new CaseFormatException("\"origin\" must be a string or a list of strings"),
        } : throw new CaseFormatException("\"origin\" is required");

        if (!Base64Url.TryDecode(RequiredString(root, "challenge"), out var challenge))
        {
            throw new CaseFormatException("\"challenge\" must be base64url");
        }

        if (!root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
        {
            throw new CaseFormatException("\"response\" must be the PublicKeyCredential JSON (toJSON()) object");
        }

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
            AllowedTopOrigins = root.TryGetProperty("allowedTopOrigins", out var tops) && tops.ValueKind == JsonValueKind.Array
                ? [.. tops.EnumerateArray().Select(t => t.GetString() ?? string.Empty)]
                : [],
            RequireUserVerification = OptionalBool(root, "requireUserVerification") ?? false,
            RequireUserPresence = requireUserPresence,
            Algorithms = root.TryGetProperty("pubKeyCredParamsAlgs", out var algs) && algs.ValueKind == JsonValueKind.Array
                ? [.. algs.EnumerateArray().Select(a => a.TryGetInt32(out var v) ? v : throw new CaseFormatException("\"pubKeyCredParamsAlgs\" must hold integers")).Where(v => Enum.IsDefined((CoseAlgorithm)v)).Select(v => (CoseAlgorithm)v)]
                : null,
            TrustAnchors = root.TryGetProperty("trustAnchorsDerHex", out var anchors) && anchors.ValueKind == JsonValueKind.Array
                ? [.. anchors.EnumerateArray().Select(LoadAnchor)]
                : [],
            VerificationTime = root.TryGetProperty("verificationTime", out var vt) && vt.ValueKind == JsonValueKind.String
                ? DateTimeOffset.TryParse(vt.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : throw new CaseFormatException("\"verificationTime\" must be an ISO 8601 instant")
                : null,
            CredentialPublicKey = publicKey,
            StoredSignCount = root.TryGetProperty("storedSignCount", out var sc) && sc.TryGetUInt32(out var count) ? count : 0,
            StoredBackupEligible = OptionalBool(root, "storedBackupEligible"),
            Response = response.Clone(),
        };
    }

    private static X509Certificate2 LoadAnchor(JsonElement hex)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromHexString(hex.GetString() ?? string.Empty));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new CaseFormatException("\"trustAnchorsDerHex\" must hold DER certificates in hex");
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new CaseFormatException($"\"{name}\" is required and must be a string");

    private static bool? OptionalBool(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new CaseFormatException($"\"{name}\" must be true or false"),
        } : null;

    private sealed class CaseFormatException(string message) : Exception(message);
}
