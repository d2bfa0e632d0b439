namespace Keyward.Testing;

/// <summary>
/// A unique folder under the system temporary directory, deleted (with its contents) on dispose.
/// Deletion is best effort: a file still held open is retried briefly, then left behind rather
/// than failing the test that owns the folder.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private const int DeleteAttempts = 5;

    /// <summary>Creates the folder; <paramref name="prefix"/> makes leftovers easy to recognize.</summary>
    public TempDirectory(string prefix = "keyward-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <inheritdoc />
    public void Dispose() => Delete(Path);

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
