namespace Keyward.Server.Http;

/// <summary>
/// Keyward's data directory is its owner's alone: directories 0700, files 0600 (Unix). Directories are created that
/// way; <see cref="Tighten"/> brings what already exists (an older data directory, SQLite's -wal and -shm files made
/// under the process umask) down to it at every start.
/// </summary>
internal static class PrivateDirectory
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> (and its missing parents inside it) owner-only.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirectoryMode);
    }

    /// <summary>Sets every directory under <paramref name="root"/> (itself included) to 0700 and every file to 0600.</summary>
    public static void Tighten(string root)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return;
        }

        var current = root;
        try
        {
            File.SetUnixFileMode(root, DirectoryMode);
            foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                current = entry.FullName;
                entry.UnixFileMode = entry is DirectoryInfo ? DirectoryMode : FileMode;
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException(
                $"Keyward could not make {current} private to its owner (directories 0700, files 0600). Give Keyward:DataDirectory and everything in it to the user Keyward runs as.", e);
        }
    }
}
