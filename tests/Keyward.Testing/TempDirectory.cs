namespace Keyward.Testing;

/// <summary>
/// A unique folder under the system temporary directory, deleted (with its contents) on dispose.
/// Deletion is best effort: a file still held open is retried briefly, then left behind rather
/// than failing the test that owns the folder. Under the test command (<see cref="TestRun"/>) the folder is made in the
/// run directory's <c>tmp/</c> and kept, for the leak scan that ends the command.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private const int DeleteAttempts = 5;

    /// <summary>Creates the folder; <paramref name="prefix"/> makes leftovers easy to recognize.</summary>
    public TempDirectory(string prefix = "keyward-")
    {
        Path = TestRun.Subdirectory("tmp") is { } run
            ? Directory.CreateDirectory(System.IO.Path.Combine(run, prefix + Guid.NewGuid().ToString("N")[..12])).FullName
            : Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <inheritdoc />
    public void Dispose()
    {
        if (TestRun.Directory is null)
        {
            Delete(Path);
        }
    }

    internal static void Delete(string path)
    {
        for (var attempt = 1; attempt <= DeleteAttempts; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process (a server, a pooled SQLite connection on Windows) may still hold a file.
                Thread.Sleep(50 * attempt);
            }
        }
    }
}
