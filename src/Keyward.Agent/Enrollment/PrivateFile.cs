namespace Keyward.Agent.Enrollment;

/// <summary>Files and folders only the agent's user may read: created with their mode, never chmod-ed after writing.</summary>
internal static class PrivateFile
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a folder only its owner may enter (0700); an existing one is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Keyward agent runs on Linux and other Unix systems only.");
        }

        Directory.CreateDirectory(path, OwnerDirectory);
    }

    /// <summary>Creates <paramref name="path"/> (which must not exist) with mode 0600 and writes <paramref name="text"/>.</summary>
    public static void CreateNew(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Keyward agent runs on Linux and other Unix systems only.");
        }

        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerReadWrite });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
