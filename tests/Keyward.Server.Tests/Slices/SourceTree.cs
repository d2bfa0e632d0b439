namespace Keyward.Server.Tests.Slices;

/// <summary>Finds the repository's source from the test binaries (tests that read the code itself).</summary>
internal static class SourceTree
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyward.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Keyward.slnx not found above the test binaries: these tests read the repository's source.");
    });

    /// <summary>src/Keyward.Server.</summary>
    public static string Server => Path.Combine(Root.Value, "src", "Keyward.Server");

    /// <summary>True for build output.</summary>
    public static bool IsGenerated(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
}
