namespace Keyward.Server.Handoff;

/// <summary>Where a handoff lands on the app host: a relative path only, so the handoff can never redirect anywhere else.</summary>
internal static class ReturnPath
{
    private const int MaxLength = 2048;

    /// <summary>
    /// True for a path and query on the same host: starts with one '/', never "//" (a scheme-relative URL), never a
    /// '\' (browsers read "/\host" as "//host"), no control characters or spaces, at most 2,048 characters. An absolute
    /// URL does not start with '/', so it is refused too.
    /// </summary>
    public static bool IsSafe(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in path)
        {
            if (c is '\\' or <= ' ' or '\u007f')
            {
                return false;
            }
        }

        return true;
    }
}
