namespace Keyward.EndToEnd.Tests.Processes;

/// <summary>Where the solution build put the <c>keyward</c> command and the counter sample beside it.</summary>
internal static class CliBinaries
{
    /// <summary>The configuration these tests were built in (Debug or Release), which the CLI was built in too.</summary>
    public static string Configuration => new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>The repository root: the folder above the test binaries that holds Keyward.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyward.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Keyward.slnx) was not found above the test binaries.");
    }

    /// <summary>src/Keyward.Cli's project file.</summary>
    public static string Project() => Path.Combine(RepositoryRoot(), "src", "Keyward.Cli", "Keyward.Cli.csproj");

    /// <summary>keyward.dll in src/Keyward.Cli's output for the configuration these tests were built in.</summary>
    public static string Keyward()
    {
        var cli = Path.Combine(RepositoryRoot(), "src", "Keyward.Cli", "bin", Configuration, "net10.0", "keyward.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing; build the solution first.");
        return cli;
    }

    /// <summary>The counter sample the CLI's build copies into <c>counter/</c> beside keyward.dll.</summary>
    public static string Counter()
    {
        var counter = Path.Combine(Path.GetDirectoryName(Keyward())!, "counter", "Keyward.Samples.Counter.dll");
        Assert.True(File.Exists(counter), $"{counter} is missing; build the solution first.");
        return counter;
    }
}
