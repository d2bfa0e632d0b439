using System.Text.Json;

namespace Keyward.WebAuthn.Tests.Vectors;

/// <summary>
/// The WebAuthn vectors of <c>tests/vectors/webauthn</c> (see its README for provenance), copied beside the test
/// binaries by the project file, so a fresh clone carries everything its tests read.
/// </summary>
internal static class VectorFiles
{
    public static readonly string[] Names = ["spec_vectors.json", "py_webauthn_vectors.json", "fido2netlib_vectors.json"];

    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "vectors", "webauthn");

    public static IEnumerable<JsonElement> Cases(string file)
    {
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: the test project copies tests/vectors/webauthn/{file} beside its binaries; rebuild it.", path);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    public static JsonElement Case(string file, string id) =>
        Cases(file).Single(c => c.GetProperty("id").GetString() == id);
}
