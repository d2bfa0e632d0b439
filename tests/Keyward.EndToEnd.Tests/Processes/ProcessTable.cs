namespace Keyward.EndToEnd.Tests.Processes;

/// <summary>The machine's running processes, read from Linux's /proc: what a demo test checks it left behind.</summary>
internal static class ProcessTable
{
    /// <summary>
    /// Processes whose command line names <paramref name="path"/> (a demo's children run with their data, state or
    /// temporary directory on the command line), each as "pid: command line".
    /// </summary>
    public static List<string> Naming(string path)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(path, StringComparison.Ordinal))
                {
                    found.Add($"{Path.GetFileName(dir)}: {commandLine}");
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
