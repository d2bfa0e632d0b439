using System.Text;

namespace Keyward.Testing;

/// <summary>
/// The test command's run directory (<c>KEYWARD_TEST_RUN_DIR</c>, set by test.sh). When it is set, everything a test
/// run writes lands under it (temporary folders and data directories in <c>tmp/</c>, Keyward's logs in <c>logs/</c>,
/// every problem+json body a test client receives in <c>problems/</c>) and is kept, so that the leak scan at the end of
/// the command (tests/Keyward.LeakScan) reads it all. Unset, tests behave as before: system temp, deleted after use.
/// </summary>
public static class TestRun
{
    /// <summary>The environment variable that names the run directory.</summary>
    public const string Variable = "KEYWARD_TEST_RUN_DIR";

    private static readonly Lock Gate = new();

    /// <summary>The run directory, or null when tests run outside the test command.</summary>
    public static string? Directory { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? Path.GetFullPath(dir) : null;

    /// <summary>A subfolder of the run directory (created), or null outside the test command.</summary>
    public static string? Subdirectory(string name)
    {
        if (Directory is null)
        {
            return null;
        }

        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Appends a line to a file under the run directory's <paramref name="folder"/>; nothing outside the test command.</summary>
    public static void Append(string folder, string file, string line)
    {
        if (Subdirectory(folder) is not { } path)
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(Path.Combine(path, file), line + "\n", Encoding.UTF8);
        }
    }
}
