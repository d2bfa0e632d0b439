namespace Keyward.EndToEnd.Tests.Processes;

/// <summary>Where the solution build put the <c>keyward</c> command and the counter sample beside it.</summary>
internal static class CliBinaries
{
    /// <summary>keyward.dll in src/Keyward.Cli's output for the configuration these tests were built in.</summary>
    public static string Keyward()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyward.slnx")))
            {
                var cli = Path.Combine(dir.FullName, "src", "Keyward.Cli", "bin", configuration, "net10.0", "keyward.dll");
                Assert.True(File.Exists(cli), $"{cli} is missing; build the solution first.");
                return cli;
            }
        }

        throw new InvalidOperationException("The repository root (Keyward.slnx) was not found above the test binaries.");
    }

    /// <summary>The counter sample the CLI's build copies into <c>counter/</c> beside keyward.dll.</summary>
    public static string Counter()
    {
        var counter = Path.Combine(Path.GetDirectoryName(Keyward())!, "counter", "Keyward.Samples.Counter.dll");
        Assert.True(File.Exists(counter), $"{counter} is missing; build the solution first.");
        return counter;
    }
}
