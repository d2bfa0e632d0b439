using System.Collections.Frozen;

namespace Keyward.Server.Proxy;

/// <summary>
/// The request headers one route strips: <see cref="IdentityHeaders"/>, every name with '_', and the route's own
/// <c>StripRequestHeaders</c> (names, or <c>Prefix-*</c> patterns). Built once per route; matching a name allocates
/// nothing (a frozen set, then a few prefix checks only for names whose first letter starts a prefix).
/// </summary>
internal sealed class HeaderDenylist
{
    private const string TokenSymbols = "!#$%&'+-.^_`|~";

    private readonly FrozenSet<string> _names;
    private readonly string[] _prefixes;
    private readonly string _prefixStarts;

    private HeaderDenylist(IEnumerable<string> names, string[] prefixes)
    {
        _names = names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _prefixes = prefixes;
        _prefixStarts = new string([.. prefixes.Select(p => char.ToLowerInvariant(p[0])).Distinct()]);
    }

    /// <summary>The list every route strips.</summary>
    public static HeaderDenylist Default { get; } = new(IdentityHeaders.Names, IdentityHeaders.Prefixes);

    /// <summary>True for a name this route strips.</summary>
    public bool Matches(string name)
    {
        if (name.Contains('_') || _names.Contains(name) || name.EndsWith(IdentityHeaders.RemoteUserSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.Length == 0 || !_prefixStarts.Contains(char.ToLowerInvariant(name[0]), StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The default list plus a route's additions; the default itself when there are none.</summary>
    public static HeaderDenylist For(IReadOnlyCollection<string> additions)
    {
        if (additions.Count == 0)
        {
            return Default;
        }

        var names = new List<string>(IdentityHeaders.Names);
        var prefixes = new List<string>(IdentityHeaders.Prefixes);
        foreach (var pattern in additions)
        {
            if (pattern.EndsWith('*'))
            {
                prefixes.Add(pattern[..^1]);
            }
            else
            {
                names.Add(pattern);
            }
        }

        return new HeaderDenylist(names, [.. prefixes]);
    }

    /// <summary>A header name (RFC 9110 token), or such a name followed by one '*' as a prefix pattern.</summary>
    public static bool IsValidPattern(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return false;
        }

        var name = pattern.EndsWith('*') ? pattern.AsSpan(0, pattern.Length - 1) : pattern.AsSpan();
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !TokenSymbols.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
