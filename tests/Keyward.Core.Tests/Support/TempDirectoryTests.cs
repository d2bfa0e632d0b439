using Keyward.Testing;

namespace Keyward.Core.Tests.Support;

public sealed class TempDirectoryTests
{
    // Outside the test command the folder is deleted; under it (KEYWARD_TEST_RUN_DIR) it is kept in the run directory
    // for the leak scan, which reads it after the tests and deletes the run directory when it is clean.
    [Fact]
    public void Dispose_FolderWithAnOpenFile_DeletesEverything_OrKeepsItForTheLeakScan()
    {
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("nested"));
        using var open = File.Create(temp.Combine("nested", "held.db"));

        temp.Dispose();

        if (TestRun.Directory is { } run)
        {
            Assert.StartsWith(run, temp.Path, StringComparison.Ordinal);
            Assert.True(File.Exists(temp.Combine("nested", "held.db")));
        }
        else
        {
            Assert.False(Directory.Exists(temp.Path));
        }
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
