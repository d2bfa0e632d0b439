using System.Text.Json;

namespace Keyward.WebAuthn.Tests.Vectors;

/// <summary>
/// Keyward's decisions where a vector's expected result is "unknown", and the policy a case runs under.
/// Each decision is explained in docs/webauthn.md ("Vector decisions").
/// </summary>
internal static class VectorDecisions
{
    private static readonly Dictionary<string, string> Unknown = new(StringComparer.Ordinal)
    {
        // response.signature is hex text ("3046022100…"), not base64url as the JSON form requires; read as
        // base64url it is other bytes, so the signature cannot verify. Keyward does not guess encodings.
        ["fido2-net-lib/assertionNoneResponse.json"] = "fail",
        // id/rawId were copied from the android-key fixture and differ from the credential id in authenticator
        // data; storing either would bind the wrong id to the key (credential_id_mismatch).
        ["fido2-net-lib/attestationAppleResponse.json"] = "fail",
        // A packed x5c registration whose statement, certificate requirements and signature all verify.
        ["fido2-net-lib/attestationResultsATKey.json"] = "pass",
        // A fido-u2f registration from a Level 1 era client (clientData also carries hashAlgorithm and
        // clientExtensions, which the spec says to ignore); every check holds.
        ["fido2-net-lib/json1.json"] = "pass",
    };

    public static string ExpectedResult(string id, string expected) =>
        expected != "unknown" ? expected
        : Unknown.TryGetValue(id, out var decided) ? decided
        : throw new InvalidOperationException($"{id} is 'unknown' and has no recorded decision");

    /// <summary>Cases that pass only with RS1 (SHA-1) credential keys, which Keyward refuses unless DangerousAllowSha1 is set.</summary>
    public static bool NeedsSha1(string id) => id == "fido2-net-lib/attestationTPMSHA1Response.json";

    /// <summary>Captures whose notes say they use standard base64 run under the documented opt-in policy.</summary>
    public static Base64Policy Base64PolicyFor(JsonElement c) =>
        c.TryGetProperty("notes", out var notes) && notes.ValueKind == JsonValueKind.Array
            && notes.EnumerateArray().Any(n => n.GetString()?.Contains("standard base64", StringComparison.Ordinal) == true)
            ? Base64Policy.AcceptStandardAlphabet
            : Base64Policy.Strict;
}
