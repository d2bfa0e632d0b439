namespace Keyward.Fuzz;

/// <summary>Runs saved inputs through a harness in-process, as the suite does with fuzz/corpus.</summary>
public static class CorpusReplay
{
    /// <summary>
    /// Runs every file through <paramref name="run"/> and returns one line per file that escaped with an exception
    /// (a crash under AFL++), naming the file and the exception type; empty when every file was handled.
    /// </summary>
    public static IReadOnlyList<string> Run(Action<byte[]> run, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(files);
        var crashes = new List<string>();
        foreach (var file in files)
        {
            try
            {
                run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Any exception is the finding being reported.
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes.Add($"{Path.GetFileName(file)}: {e}");
            }
        }

        return crashes;
    }
}
