using System.Text.Json;

namespace Keyward.WebAuthn.Tests.Vectors;

/// <summary>Finds shared/webauthn-vectors (beside the repository in CI, which clones the repo as main/ next to shared/).</summary>
internal static class VectorFiles
{
    public static readonly string[] Names = ["spec_vectors.json", "py_webauthn_vectors.json", "fido2netlib_vectors.json"];

    private static readonly Lazy<string> Folder = new(Locate);

    public static string Directory => Folder.Value;

    public static IEnumerable<JsonElement> Cases(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file)));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    public static JsonElement Case(string file, string id) =>
        Cases(file).Single(c => c.GetProperty("id").GetString() == id);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "webauthn-vectors"), Path.Combine(dir.FullName, "..", "shared", "webauthn-vectors") })
            {
                if (File.Exists(Path.Combine(candidate, Names[0])))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new InvalidOperationException("shared/webauthn-vectors not found beside the repository; the vector tests need it (CI places shared/ next to the clone).");
    }
}
