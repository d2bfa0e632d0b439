using System.Text.Json;

namespace Keyward.Benchmarks;

/// <summary>Real inputs for the benchmarks: cases from tests/vectors/webauthn (W3C WebAuthn L3 §16).</summary>
internal static class VectorInputs
{
    public static JsonElement SpecCase(string id)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Locate(), "spec_vectors.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id).Clone();
    }

    public static byte[] Bytes(JsonElement element) =>
        Keyward.WebAuthn.Base64Url.TryDecode(element.GetString(), out var bytes) ? bytes : throw new InvalidOperationException("not base64url");

    // The project copies tests/vectors/webauthn/spec_vectors.json beside the binaries.
    private static string Locate() => Path.Combine(AppContext.BaseDirectory, "vectors", "webauthn");
}
