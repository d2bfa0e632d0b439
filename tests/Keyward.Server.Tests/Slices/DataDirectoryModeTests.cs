namespace Keyward.Server.Tests.Slices;

/// <summary>The data directory is its owner's alone: directories 0700, files 0600, including files that were there before.</summary>
public sealed class DataDirectoryModeTests
{
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_DataDirectory_IsOwnerOnlyThroughout()
    {
        await using var keyward = HostedKeyward.Build([]);
        var stale = Path.Combine(keyward.DataDirectory, "left-by-an-older-version.txt");
        await File.WriteAllTextAsync(stale, "x");
        File.SetUnixFileMode(stale, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(keyward.DataDirectory, OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        await keyward.App.StartAsync();

        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(keyward.DataDirectory));
        Assert.True(File.Exists(Path.Combine(keyward.DataDirectory, "keyward.db")));
        var entries = Directory.EnumerateFileSystemEntries(keyward.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(entries, e => e.EndsWith(".pem", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Equal(Directory.Exists(e) ? OwnerDirectory : OwnerFile, File.GetUnixFileMode(e)));
        await keyward.App.StopAsync();
    }
}
