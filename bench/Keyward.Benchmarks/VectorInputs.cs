using System.Text.Json;

namespace Keyward.Benchmarks;

/// <summary>Real inputs for the benchmarks: cases from shared/webauthn-vectors (W3C WebAuthn L3 §16).</summary>
internal static class VectorInputs
{
    public static JsonElement SpecCase(string id)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Locate(), "spec_vectors.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id).Clone();
    }

    public static byte[] Bytes(JsonElement element) =>
        Keyward.WebAuthn.Base64Url.TryDecode(element.GetString(), out var bytes) ? bytes : throw new InvalidOperationException("not base64url");

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "webauthn-vectors"), Path.Combine(dir.FullName, "..", "shared", "webauthn-vectors") })
            {
                if (File.Exists(Path.Combine(candidate, "spec_vectors.json")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("shared/webauthn-vectors not found beside the repository.");
    }
}
