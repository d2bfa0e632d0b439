using System.Collections;
using System.Reflection;

namespace Keyward.Server.Http;

/// <summary>
/// Settings under <c>Keyward</c> that no options type reads: a misspelled key (<c>RequireUserVerifcation</c>,
/// <c>Lisen</c>) would otherwise be ignored without a word, and a route would run without the policy its operator
/// wrote. Every key present in any source (file, environment, arguments) must name a property of the options type
/// bound to its section, through dictionaries (route ids) and lists (indexes), in any case.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>One line per unknown setting, naming it, the closest known one when there is one, and where to look.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration, IEnumerable<(string Section, Type Type)> bound)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sections = bound.ToList();
        var problems = new List<string>();
        foreach (var (key, value) in configuration.GetSection(KeywardOptions.Section).AsEnumerable().OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            // Sections themselves have no value; an empty section ("Routes": {}) has none either.
            if (value is null || IsKnown(key, sections))
            {
                continue;
            }

            var hint = Closest(key, sections) is { } near ? $" (did you mean {near}?)" : string.Empty;
            problems.Add($"{key} is not a setting Keyward knows{hint}: check its spelling against docs/configuration.md, or remove it.");
        }

        return problems;
    }

    private static bool IsKnown(string key, List<(string Section, Type Type)> sections) =>
        sections.Any(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)
            && Fits(s.Type, key[(s.Section.Length + 1)..].Split(':')));

    // The path names a property of type, then whatever that property's type allows below it.
    private static bool Fits(Type type, ReadOnlySpan<string> path) =>
        path.Length > 0 && Property(type, path[0]) is { } property && FitsValue(property.PropertyType, path[1..]);

    private static bool FitsValue(Type type, ReadOnlySpan<string> rest)
    {
        if (rest.IsEmpty)
        {
            return true;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(decimal))
        {
            return false;
        }

        if (DictionaryValue(type) is { } value)
        {
            return FitsValue(value, rest[1..]);
        }

        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return int.TryParse(rest[0], out _) && FitsValue(ElementOf(type), rest[1..]);
        }

        return Fits(type, rest);
    }

    private static PropertyInfo? Property(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    private static Type? DictionaryValue(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

    private static Type ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()! : type.GetInterfaces().Append(type).First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];

    // The known setting one edit (or two, in a longer name) away from the last segment, in the same section.
    private static string? Closest(string key, List<(string Section, Type Type)> sections)
    {
        var cut = key.LastIndexOf(':');
        var parent = key[..cut];
        var last = key[(cut + 1)..];
        foreach (var (section, type) in sections)
        {
            var owner = string.Equals(parent, section, StringComparison.OrdinalIgnoreCase) ? type
                : parent.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) ? Owner(type, parent[(section.Length + 1)..].Split(':'))
                : null;
            var near = owner?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => p.Name)
                .OrderBy(n => Distance(n.ToLowerInvariant(), last.ToLowerInvariant()))
                .FirstOrDefault(n => Distance(n.ToLowerInvariant(), last.ToLowerInvariant()) <= (last.Length > 8 ? 2 : 1));
            if (near is not null)
            {
                return parent + ":" + near;
            }
        }

        return null;
    }

    // The class the path ends in (through dictionaries and lists), or null.
    private static Type? Owner(Type type, ReadOnlySpan<string> path)
    {
        while (!path.IsEmpty)
        {
            var property = Property(type, path[0]);
            if (property is null)
            {
                return null;
            }

            type = property.PropertyType;
            path = path[1..];
            if ((DictionaryValue(type) is { } value || (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && (value = ElementOf(type)) is not null)) && !path.IsEmpty)
            {
                type = value;
                path = path[1..];
            }
        }

        return type;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
