namespace Keyward.LoadBench.Measurement;

/// <summary>The machine's 1, 5 and 15 minute load averages from <c>/proc/loadavg</c>, for the report: other jobs share the cores.</summary>
internal static class LoadAverage
{
    /// <summary>Read when first asked (the bench asks at its start), e.g. <c>2.41 3.10 3.52</c>; "unknown" without /proc.</summary>
    public static string AtStart { get; } = Read();

    /// <summary>The load averages now.</summary>
    public static string Read()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
