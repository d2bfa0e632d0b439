using Keyward.Testing;

namespace Keyward.Core.Tests.Support;

public sealed class TempDirectoryTests
{
    [Fact]
    public void Dispose_FolderWithAnOpenFile_DeletesEverything()
    {
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("nested"));
        using var open = File.Create(temp.Combine("nested", "held.db"));

        temp.Dispose();

        Assert.False(Directory.Exists(temp.Path));
    }

    [Fact]
    public void Constructor_TwoInstances_AreDistinctEmptyFolders()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        Assert.NotEqual(first.Path, second.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(first.Path));
    }

    [Fact]
    public void Dispose_Twice_DoesNotThrow()
    {
        var temp = new TempDirectory();
        temp.Dispose();
        temp.Dispose();
    }
}
