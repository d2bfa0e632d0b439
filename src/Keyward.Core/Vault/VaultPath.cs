namespace Keyward.Core.Vault;

/// <summary>
/// The rules for a secret's path: 1 to <see cref="MaxLength"/> characters of <c>[A-Za-z0-9._-]</c> in segments
/// separated by single <c>/</c>, no empty segment, no <c>.</c> or <c>..</c> segment, no leading or trailing slash.
/// Paths are compared ordinally; a prefix for listing follows the same rules and may end with <c>/</c>.
/// </summary>
public static class VaultPath
{
    /// <summary>The longest path, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>True when <paramref name="path"/> is a valid secret path.</summary>
    public static bool IsValid(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxLength)
        {
            return false;
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || !segment.All(IsPathChar))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="prefix"/> may select paths to list: empty, a valid path, or a valid path and <c>/</c>.</summary>
    public static bool IsValidPrefix(string? prefix) =>
        prefix is not null && (prefix.Length == 0 || IsValid(prefix.EndsWith('/') ? prefix[..^1] : prefix));

    private static bool IsPathChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
