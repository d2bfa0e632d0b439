using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Tests.Vectors;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// The registration cases of tests/vectors/webauthn, decoded far enough to call an attestation format directly.
/// </summary>
internal static class AttestationVectors
{
    private static readonly Lazy<IReadOnlyList<AttestationVectorCase>> All = new(Load);

    public static IReadOnlyList<AttestationVectorCase> Registrations => All.Value;

    public static AttestationVectorCase Get(string id) => Registrations.Single(c => c.Id == id);

    /// <summary>Ids of registration cases expected to pass whose attestation object has this fmt, as theory data.</summary>
    public static TheoryData<string> Passing(string fmt)
    {
        var data = new TheoryData<string>();
        foreach (var c in Registrations.Where(c => c.Result == "pass" && c.Fmt == fmt))
        {
            data.Add(c.Id);
        }

        return data;
    }

    private static List<AttestationVectorCase> Load()
    {
        var cases = new List<AttestationVectorCase>();
        foreach (var file in VectorFiles.Names)
        {
            foreach (var c in VectorFiles.Cases(file))
            {
                if (c.GetProperty("ceremony").GetString() != "registration")
                {
                    continue;
                }

                var response = c.GetProperty("response").GetProperty("response");
                var attestationObject = Decode(response.GetProperty("attestationObject").GetString());
                var clientDataJson = Decode(response.GetProperty("clientDataJSON").GetString());
                var cbor = CborDecoder.Decode(attestationObject, CborLimits.Default);
                var fmt = cbor.Succeeded && cbor.Value.TryGetText("fmt", out var f) ? f : string.Empty;
                var anchors = c.TryGetProperty("trustAnchorsDerHex", out var a) && a.ValueKind == JsonValueKind.Array
                    ? a.EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToArray()
                    : [];
                DateTimeOffset? time = c.TryGetProperty("verificationTime", out var t) && t.ValueKind == JsonValueKind.String
                    ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    : null;
                cases.Add(new AttestationVectorCase(
                    c.GetProperty("id").GetString()!,
                    fmt,
                    c.GetProperty("expected").GetProperty("result").GetString()!,
                    attestationObject,
                    clientDataJson,
                    anchors,
                    time));
            }
        }

        return cases;
    }

    private static byte[] Decode(string? text) =>
        Base64Url.TryDecode(text, Base64Policy.AcceptStandardAlphabet, out var bytes) ? bytes : throw new InvalidDataException("a vector field is not base64");
}
